"""The reasoning rules of DESIGN.md, the seven warnings, the payload shape of CONTRACT.md."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest

from knowledge import (
    LIST_FIELDS,
    PROFILE_FIELDS,
    Profile,
    ProfileError,
    recommend,
    validate_profile,
)
from knowledge.profile import SIGNAL_IDS, WARNING_IDS

ARTICLE_ORDER = ["user_support", "infrastructure", "security", "monitoring"]


def order(advice: dict) -> list[str]:
    return [priority["service"] for priority in advice["priorities"]]


def warning_ids(advice: dict) -> list[str]:
    return [warning["id"] for warning in advice["warnings"]]


def warning(advice: dict, warning_id: str) -> dict:
    return next(item for item in advice["warnings"] if item["id"] == warning_id)


# -- payload shape ---------------------------------------------------------------------------


def test_payload_has_exactly_the_contract_keys() -> None:
    advice = recommend(
        {"pain_points": ["backup_doubt", "user_support_overload"], "trigger": "major_outage"}
    )
    assert list(advice) == [
        "type",
        "version",
        "situation",
        "signals",
        "priorities",
        "keep_in_house",
        "warnings",
        "steering",
        "closing_question",
        "trajectory",
        "field_case",
        "missing",
    ]
    assert advice["type"] == "advice" and advice["version"] == 1
    for rank, priority in enumerate(advice["priorities"], start=1):
        assert set(priority) == {
            "rank",
            "service",
            "title",
            "why",
            "because_of",
            "first_steps",
            "source",
        }
        assert priority["rank"] == rank
        assert set(priority["source"]) == {"section", "quote"}
        assert priority["why"] and priority["first_steps"]
    for item in advice["warnings"]:
        assert set(item) == {"id", "text", "because_of", "source"}
    for phase in advice["trajectory"]:
        assert set(phase) == {"phase", "services", "text"}
    assert set(advice["field_case"]) == {"id", "title", "text", "source"}
    json.dumps(advice, ensure_ascii=False)  # serialisable as is


def test_every_quote_in_any_payload_is_verbatim(article: str) -> None:
    profiles: list[dict[str, Any]] = [
        {},
        {
            "pain_points": list(SIGNAL_IDS),
            "trigger": "staff_departure",
            "motive": "cost",
            "scope_wish": "everything",
            "it_staff": "none",
        },
        {"pain_points": ["provider_dependency", "cost_pressure"], "multi_site": True},
        {"current_provider": "full", "pain_points": ["cost_pressure"]},
    ]
    for profile in profiles:
        advice = recommend(profile)
        sources = [p["source"] for p in advice["priorities"]]
        sources += [k["source"] for k in advice["keep_in_house"]]
        sources += [w["source"] for w in advice["warnings"]]
        sources += [item["source"] for item in advice["steering"]]
        if advice["field_case"]:
            sources.append(advice["field_case"]["source"])
        if advice["closing_question"]:
            sources.append(advice["closing_question"]["source"])
        for source in sources:
            assert source["quote"] in article
            assert source["section"] in article.splitlines()


# -- ranking rules ---------------------------------------------------------------------------


def test_without_anything_said_nothing_is_urgent_and_missing_is_reported() -> None:
    advice = recommend({})
    assert advice["situation"] == "nothing_urgent" and advice["priorities"] == []
    assert advice["missing"] == [
        name for name in PROFILE_FIELDS if name not in ("scope_services", "possible_pain_points")
    ]
    assert advice["warnings"] == []


@pytest.mark.parametrize(
    ("pain_points", "first"),
    [
        (["backup_doubt"], "infrastructure"),
        (["server_instability"], "infrastructure"),
        (["security_exposure"], "security"),
        (["reactive_it"], "monitoring"),
        (["user_support_overload"], "user_support"),
        (["chronic_overload"], "user_support"),
    ],
)
def test_pain_points_drive_the_order(pain_points: list[str], first: str) -> None:
    advice = recommend({"pain_points": pain_points})
    assert order(advice)[0] == first
    assert set(pain_points) <= set(advice["priorities"][0]["because_of"])


def test_security_pain_beats_the_article_order() -> None:
    # Support comes first in the article; a security pain point must overturn that.
    advice = recommend({"pain_points": ["security_exposure"]})
    assert order(advice).index("security") < order(advice).index("user_support")


def test_ties_are_broken_by_the_article_order() -> None:
    # key_person_dependency weighs infrastructure and monitoring equally: infrastructure first.
    advice = recommend({"pain_points": ["key_person_dependency"]})
    assert order(advice)[:2] == ["infrastructure", "monitoring"]
    # The two services without any reason keep the article order between them.
    assert order(advice)[2:] == ["user_support", "security"]


def test_profile_context_breaks_ties_but_never_beats_a_pain_point() -> None:
    context = {
        "it_staff": "none",
        "multi_site": True,
        "digital_dependency": "high",
        "headcount": 200,
        "sector": "industry",
    }
    advice = recommend({**context, "pain_points": ["reactive_it"]})
    assert order(advice)[0] == "monitoring"
    # Between services with the same pain, the context decides: multi-site + 200 people favour
    # support over the article's first exposed service.
    tied = {"pain_points": ["staff_departure"]}  # infrastructure 2, monitoring 2, support 1
    assert order(recommend({**tied, "multi_site": True}))[0] == "monitoring"
    assert order(recommend({**tied, "digital_dependency": "high"}))[0] == "infrastructure"


def test_reasons_name_what_the_user_said() -> None:
    advice = recommend({"pain_points": ["backup_doubt", "server_instability"], "it_staff": "none"})
    top = advice["priorities"][0]
    assert top["service"] == "infrastructure"
    assert top["because_of"] == ["server_instability", "backup_doubt", "it_staff"]
    assert any("sauvegardes" in reason for reason in top["why"])


def test_governance_is_never_a_priority_and_always_kept_in_house() -> None:
    for profile in [{}, {"scope_wish": "everything", "pain_points": list(SIGNAL_IDS)}]:
        advice = recommend(profile)
        assert "governance" not in order(advice)
        assert [item["service"] for item in advice["keep_in_house"]] == ["governance"]
        assert advice["keep_in_house"][0]["source"]["section"] == (
            "Gouvernance, arbitrage et vision stratégique"
        )


def test_recommendation_is_deterministic() -> None:
    profile: dict[str, Any] = {
        "pain_points": ["lack_visibility", "security_exposure", "cost_pressure"],
        "multi_site": True,
    }
    first = json.dumps(recommend(profile), ensure_ascii=False)
    for _ in range(3):
        assert json.dumps(recommend(profile), ensure_ascii=False) == first
    # The order of the pain points given does not matter either.
    reversed_profile = {**profile, "pain_points": list(reversed(profile["pain_points"]))}
    assert order(recommend(reversed_profile)) == order(recommend(profile))


# -- emergency ---------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger", ["major_outage", "staff_departure", "chronic_overload"])
def test_emergency_warns_and_narrows_phase_one_without_reordering(trigger: str) -> None:
    pains = ["backup_doubt", "server_instability", "user_support_overload"]
    calm = recommend({"pain_points": pains})
    urgent = recommend({"pain_points": pains, "trigger": trigger})
    assert order(urgent) == order(calm)
    assert "emergency_outsourcing" in warning_ids(urgent)
    assert warning(urgent, "emergency_outsourcing")["because_of"] == ["trigger"]
    assert len(calm["trajectory"][0]["services"]) == 2
    assert urgent["trajectory"][0]["services"] == [order(urgent)[0]]
    # Nothing is lost: every service still appears in one phase.
    phases = [service for phase in urgent["trajectory"] for service in phase["services"]]
    assert sorted(phases) == sorted(ARTICLE_ORDER)


def test_explicitly_no_emergency_is_accepted_and_not_missing() -> None:
    advice = recommend({"trigger": "none", "pain_points": ["backup_doubt"]})
    assert "emergency_outsourcing" not in warning_ids(advice)
    assert "trigger" not in advice["missing"]
    assert "trigger" in recommend({"trigger": None})["missing"]


# -- dependency --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pain", ["key_person_dependency", "staff_departure", "provider_dependency", "lack_visibility"]
)
def test_dependency_cues_raise_provider_dependency_and_favour_visibility(pain: str) -> None:
    advice = recommend({"pain_points": [pain]})
    assert pain in warning(advice, "provider_dependency")["because_of"]
    assert set(order(advice)[:2]) == {"infrastructure", "monitoring"}


def test_departure_as_trigger_is_a_dependency_cue() -> None:
    advice = recommend({"trigger": "staff_departure"})
    assert warning(advice, "provider_dependency")["because_of"] == ["trigger"]
    assert order(advice) == ARTICLE_ORDER  # the trigger alone does not reorder


# -- the seven warnings, each in a scenario ----------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "expected", "because"),
    [
        ({"it_staff": "none"}, "keep_governance", ["it_staff"]),
        ({"it_staff": "non_specialist", "scope_wish": "targeted"}, "keep_governance", ["it_staff"]),
        ({"it_staff": "it_team", "scope_wish": "everything"}, "keep_governance", ["scope_wish"]),
        (
            {"pain_points": ["key_person_dependency"]},
            "provider_dependency",
            ["key_person_dependency"],
        ),
        ({"trigger": "chronic_overload"}, "emergency_outsourcing", ["trigger"]),
        ({"scope_wish": "everything"}, "too_broad_too_fast", ["scope_wish"]),
        ({"motive": "cost"}, "cost_only", ["motive"]),
        ({"pain_points": ["cost_pressure"]}, "cost_only", ["cost_pressure"]),
        (
            {"pain_points": ["provider_dependency"], "scope_wish": "targeted"},
            "frozen_scope",
            ["provider_dependency"],
        ),
        ({"pain_points": ["backup_doubt"]}, "undefined_scope", ["backup_doubt"]),
    ],
)
def test_each_warning_has_a_scenario(profile: dict, expected: str, because: list[str]) -> None:
    advice = recommend(profile)
    assert expected in warning_ids(advice)
    assert warning(advice, expected)["because_of"] == because


@pytest.mark.parametrize(
    ("profile", "absent"),
    [
        ({"it_staff": "cio"}, "keep_governance"),
        ({"it_staff": "it_team", "scope_wish": "targeted"}, "keep_governance"),
        ({"motive": "both"}, "cost_only"),
        ({"motive": "control", "pain_points": ["cost_pressure"]}, "cost_only"),
        ({"scope_wish": "targeted"}, "too_broad_too_fast"),
        ({"pain_points": ["backup_doubt"], "scope_wish": "targeted"}, "undefined_scope"),
        ({"pain_points": ["security_exposure"]}, "undefined_scope"),
        ({"pain_points": ["security_exposure"]}, "provider_dependency"),
        ({"trigger": "none"}, "emergency_outsourcing"),
    ],
)
def test_warnings_do_not_fire_outside_their_situation(profile: dict, absent: str) -> None:
    assert absent not in warning_ids(recommend(profile))


def test_all_seven_warnings_can_fire_together() -> None:
    advice = recommend(
        {
            "it_staff": "none",
            "scope_wish": "everything",
            "motive": "cost",
            "trigger": "major_outage",
            "pain_points": ["provider_dependency", "backup_doubt"],
        }
    )
    assert warning_ids(advice) == list(WARNING_IDS)


# -- field case, missing -----------------------------------------------------------------------


def test_field_case_follows_the_situation() -> None:
    assert recommend({"pain_points": ["user_support_overload"]})["field_case"]["id"] == (
        "noise_outsourcing"
    )
    assert recommend({"scope_wish": "everything"})["field_case"]["id"] == "poorly_framed"
    provider = {"current_provider": "full", "pain_points": ["lack_visibility"]}
    assert recommend(provider)["field_case"]["id"] == "poorly_framed"


def test_missing_lists_only_fields_not_provided() -> None:
    advice = recommend({"headcount": 45, "multi_site": False, "pain_points": ["backup_doubt"]})
    assert advice["missing"] == [
        "sector",
        "it_staff",
        "digital_dependency",
        "trigger",
        "motive",
        "scope_wish",
        "current_provider",
    ]


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "fragment"),
    [
        ({"taille": 45}, "Champ inconnu « taille »"),
        ({"sector": "banque"}, "Valeur inconnue « banque » pour le champ « sector »"),
        ({"it_staff": "freelance"}, "« none », « non_specialist », « it_team », « cio »"),
        ({"pain_points": ["pannes"]}, "Valeur inconnue « pannes » pour le champ « pain_points »"),
        ({"pain_points": "backup_doubt"}, "une liste d’identifiants est attendue"),
        ({"headcount": "45"}, "nombre entier"),
        ({"headcount": True}, "nombre entier"),
        ({"headcount": 0}, "nombre entier"),
        ({"multi_site": "oui"}, "true ou false"),
        (
            {"trigger": "panne"},
            "« major_outage », « staff_departure », « chronic_overload », « none »",
        ),
    ],
)
def test_unknown_fields_and_values_are_clear_french_errors(profile: dict, fragment: str) -> None:
    with pytest.raises(ProfileError) as raised:
        recommend(profile)
    assert fragment in str(raised.value)


def test_profile_is_a_frozen_dataclass_and_accepted_by_recommend() -> None:
    profile = validate_profile({"pain_points": ["backup_doubt", "backup_doubt"], "motive": None})
    assert isinstance(profile, Profile)
    assert profile.pain_points == ("backup_doubt",)
    with pytest.raises(AttributeError):
        profile.motive = "cost"  # type: ignore[misc]
    assert recommend(profile) == recommend({"pain_points": ["backup_doubt"]})


def test_a_list_is_not_a_profile() -> None:
    with pytest.raises(ProfileError, match="objet JSON"):
        recommend([])  # type: ignore[arg-type]


def test_every_allowed_value_is_accepted() -> None:
    for field, allowed in PROFILE_FIELDS.items():
        if isinstance(allowed, tuple) and field not in LIST_FIELDS:
            for value in allowed:
                recommend({field: value})
    for pair in itertools.combinations(SIGNAL_IDS, 2):
        assert recommend({"pain_points": list(pair)})["priorities"]
