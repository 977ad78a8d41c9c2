"""Profile facts in free text (extract_facts) and short answers to form questions (parse_answer)."""

from __future__ import annotations

import pytest

from knowledge import (
    InputError,
    ProfileError,
    detect_pain_points,
    extract_facts,
    parse_answer,
    validate_profile,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("On est 80, sans DSI.", {"headcount": 80, "it_staff": "none"}),
        ("45 salariés répartis sur trois sites", {"headcount": 45, "multi_site": True}),
        ("une trentaine de personnes", {"headcount": 30}),
        ("une cinquantaine", {"headcount": 50}),
        ("on est une vingtaine", {"headcount": 20}),
        ("cent vingt salariés", {"headcount": 120}),
        ("quatre-vingt-dix personnes", {"headcount": 90}),
        ("soixante et onze employés", {"headcount": 71}),
        ("plusieurs agences en région", {"multi_site": True}),
        ("on a un seul site à Lyon", {"multi_site": False}),
        ("pas d'informaticien", {"it_staff": "none"}),
        ("c'est le comptable qui gère", {"it_staff": "non_specialist"}),
        (
            "on a une équipe informatique de trois personnes",
            {"headcount": 3, "it_staff": "it_team"},
        ),
        ("notre DSI est débordé", {"it_staff": "cio"}),
        ("grosse panne la semaine dernière", {"trigger": "major_outage"}),
        (
            "notre informaticien est parti",
            {"it_staff": "none", "trigger": "staff_departure"},
        ),
        ("notre informaticien a démissionné", {"it_staff": "none", "trigger": "staff_departure"}),
        ("on est débordés en permanence", {"trigger": "chronic_overload"}),
        ("on veut réduire les coûts", {"motive": "cost"}),
        ("on veut reprendre la main", {"motive": "control"}),
        ("réduire les coûts et reprendre la main", {"motive": "both"}),
        ("on voudrait tout externaliser", {"scope_wish": "everything"}),
        ("on ne veut pas tout externaliser", {"scope_wish": "targeted"}),
        ("une PME industrielle", {"sector": "industry"}),
        ("un cabinet d'expertise comptable", {"sector": "services"}),
        ("on ne peut rien faire sans l'informatique", {"digital_dependency": "high"}),
    ],
)
def test_extract_facts(text: str, expected: dict) -> None:
    assert extract_facts(text) == expected


def test_extract_facts_only_reports_what_is_said() -> None:
    assert extract_facts("Bonjour, nos serveurs plantent souvent.") == {}
    # « une personne » and « une dizaine de serveurs » are not a headcount.
    assert "headcount" not in extract_facts("tout repose sur une personne")
    assert "headcount" not in extract_facts("on a une dizaine de serveurs")
    assert "headcount" not in extract_facts("on a trois sites")


@pytest.mark.parametrize(
    "text",
    [
        "quels services externaliser en priorité ?",
        "on cherche un conseil",
        "une imprimante commune",
        "l'administration des serveurs",
        "un autre prestataire",
        "on manque de visibilité",
        "le contrôle des sauvegardes",
        "on est une société de services informatiques",
    ],
)
def test_everyday_words_are_not_taken_for_profile_facts(text: str) -> None:
    facts = extract_facts(text)
    assert "it_staff" not in facts and "motive" not in facts
    assert facts.get("sector") in (None, "services")
    if "services informatiques" not in text:
        assert "sector" not in facts


@pytest.mark.parametrize(
    "text",
    [
        "Chez nous tout repose sur notre comptable.",
        "L'informatique repose sur la secrétaire.",
        "Tout repose sur notre gérant, il s'occupe des serveurs.",
        "c'est moi qui gère l'informatique",
        "tout repose sur moi",
    ],
)
def test_it_run_by_someone_who_is_not_an_it_specialist(text: str) -> None:
    assert extract_facts(text)["it_staff"] == "non_specialist"


@pytest.mark.parametrize(
    "text",
    [
        "Chez nous tout repose sur notre comptable.",
        "L'informatique repose sur la secrétaire.",
        "tout repose sur moi",
    ],
)
def test_resting_on_a_non_specialist_is_also_a_key_person_dependency(text: str) -> None:
    assert "key_person_dependency" in detect_pain_points(text)


def test_resting_on_an_it_person_keeps_its_own_it_staff_value() -> None:
    assert extract_facts("tout repose sur notre informaticien")["it_staff"] == "it_team"
    assert "it_staff" not in extract_facts("ça ne repose pas sur notre comptable")


def test_extract_facts_respects_negation() -> None:
    assert extract_facts("on n'a jamais eu de grosse panne") == {}
    assert extract_facts("sans DSI")["it_staff"] == "none"


def test_extracted_facts_form_a_valid_profile() -> None:
    facts = extract_facts(
        "PME industrielle de 45 personnes sur deux sites, sans DSI, grosse panne hier, "
        "on veut reprendre la main"
    )
    assert facts == {
        "headcount": 45,
        "sector": "industry",
        "multi_site": True,
        "it_staff": "none",
        "trigger": "major_outage",
        "motive": "control",
    }
    validate_profile(facts)


def test_extract_facts_rejects_blank_text() -> None:
    with pytest.raises(InputError):
        extract_facts("  ")


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("headcount", "45", 45),
        ("headcount", "une trentaine", 30),
        ("headcount", "environ 120 personnes", 120),
        ("headcount", "je ne sais pas", None),
        ("multi_site", "oui", True),
        ("multi_site", "non", False),
        ("multi_site", "3 sites", True),
        ("multi_site", "un seul", False),
        ("it_staff", "personne", "none"),
        ("it_staff", "un prestataire", "none"),
        ("it_staff", "le gérant", "non_specialist"),
        ("it_staff", "moi-même", "non_specialist"),
        ("it_staff", "on a un informaticien", "it_team"),
        ("it_staff", "notre DSI", "cio"),
        ("digital_dependency", "beaucoup", "high"),
        ("digital_dependency", "on ne peut rien faire sans", "high"),
        ("digital_dependency", "un peu", "medium"),
        ("digital_dependency", "peu", "low"),
        ("digital_dependency", "pas beaucoup", "low"),
        ("trigger", "non, rien d'urgent", "none"),
        ("trigger", "non", "none"),
        ("trigger", "une panne", "major_outage"),
        ("trigger", "le départ de notre technicien", "staff_departure"),
        ("trigger", "on est débordés", "chronic_overload"),
        ("motive", "les coûts", "cost"),
        ("motive", "la maîtrise", "control"),
        ("motive", "les deux", "both"),
        ("scope_wish", "tout", "everything"),
        ("scope_wish", "une partie seulement", "targeted"),
        ("sector", "l'industrie", "industry"),
        ("sector", "commerce de détail", "retail"),
        ("sector", "services", "services"),
        ("sector", "autre", "other"),
        ("sector", "une mairie", "public"),
        ("pain_points", "nos sauvegardes ne sont pas testées", ["backup_doubt"]),
        ("motive", "bof", None),
        ("trigger", "", None),
    ],
)
def test_parse_answer(field: str, text: str, expected: object) -> None:
    assert parse_answer(field, text) == expected


@pytest.mark.parametrize(
    "field",
    [
        "multi_site",
        "it_staff",
        "trigger",
        "digital_dependency",
        "pain_points",
        "motive",
        "headcount",
    ],
)
@pytest.mark.parametrize("text", ["je ne sais pas", "aucune idée", "jsp", "je sais pas trop"])
def test_dont_know_is_never_a_value(field: str, text: str) -> None:
    assert parse_answer(field, text) is None


def test_parse_answer_unknown_field_is_a_profile_error() -> None:
    with pytest.raises(ProfileError, match="Champ inconnu « taille »"):
        parse_answer("taille", "45")


def test_parsed_answers_are_allowed_profile_values() -> None:
    for field, text in [
        ("it_staff", "personne"),
        ("trigger", "rien d'urgent"),
        ("motive", "les deux"),
    ]:
        validate_profile({field: parse_answer(field, text)})
