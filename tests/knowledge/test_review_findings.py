"""Issue 11: one test per finding of the consultant's review, on the content of the answer.

Expected wordings come from the issue and the article, not from the engine's output.
"""

from __future__ import annotations

from knowledge import detect_pain_points, extract_facts, read_message, recommend
from knowledge.render import render_advice, render_detail

CLOSING_QUESTION = "qu’est-ce qui fragilise aujourd’hui notre activité ?"


def whole_plan(advice: dict) -> str:
    parts = [*render_advice(advice)]
    for part in ("why", "warnings", "start", "case"):
        parts += render_detail(advice, part)
    return "\n".join(parts)


# 1. Statements the user never made ------------------------------------------------------------


def test_a_slow_provider_is_not_unstable_servers() -> None:
    text = "Notre prestataire met trois jours à répondre au moindre ticket, c'est pénible."
    assert "server_instability" not in detect_pain_points(text)


def test_a_scare_or_a_neighbours_attack_is_not_a_major_outage() -> None:
    for text in (
        "On a reçu un mail de phishing, personne n'a cliqué mais ça nous a fait peur.",
        "Une entreprise voisine a été victime d'un rançongiciel, ça pourrait nous arriver.",
    ):
        assert "trigger" not in extract_facts(text), text
        reading = read_message(text)
        advice = recommend({**reading.facts, "pain_points": list(reading.pain_points)})
        assert "sous la pression" not in whole_plan(advice)
        # The article: companies that outsource security early often avoid costly crises.
        assert advice["priorities"][0]["service"] == "security"


def test_a_retirement_years_away_is_a_handover_not_an_emergency() -> None:
    facts = extract_facts("Notre informaticien part à la retraite dans trois ans.")
    assert facts.get("trigger") is None


def test_a_hypothetical_absence_is_not_a_departure() -> None:
    text = "Si notre technicien tombait malade, on serait bien embêtés."
    assert "staff_departure" not in detect_pain_points(text)
    assert "trigger" not in extract_facts(text)


def test_a_signal_without_clear_evidence_is_not_said_in_the_plan() -> None:
    advice = recommend(
        {"pain_points": ["backup_doubt"], "possible_pain_points": ["server_instability"]}
    )
    text = whole_plan(advice)
    assert "des serveurs ou un réseau instables" not in text
    assert "Vos serveurs ou votre réseau tombent" not in text
    assert {"id": "server_instability", "evidence": "possible"} in advice["signals"]
    assert {"id": "backup_doubt", "evidence": "clear"} in advice["signals"]


# 2. An explicit, narrow wish ----------------------------------------------------------------


def test_a_cio_asking_for_security_alone_gets_security_alone() -> None:
    text = (
        "Nous avons un DSI et une équipe informatique de cinq personnes ; nous voulons "
        "externaliser uniquement la sécurité, les compétences nous manquent en interne."
    )
    facts = extract_facts(text)
    assert facts["it_staff"] == "cio" and facts["scope_wish"] == "targeted"
    advice = recommend({**facts, "pain_points": ["server_instability"]})
    assert [priority["service"] for priority in advice["priorities"]] == ["security"]
    assert advice["trajectory"][0]["services"] == ["security"]
    assert "options pour plus tard" in advice["trajectory"][-1]["text"]
    assert "ensuite" not in " ".join(phase["text"] for phase in advice["trajectory"])


# 3. Nothing wrong ---------------------------------------------------------------------------


def test_nothing_wrong_means_nothing_urgent_and_the_closing_question() -> None:
    advice = recommend(
        {"headcount": 6, "sector": "industry", "digital_dependency": "low", "trigger": "none"}
    )
    assert advice["priorities"] == [] and advice["trajectory"] == []
    short = "\n".join(render_advice(advice))
    assert "rien n’impose d’externaliser maintenant" in short
    assert CLOSING_QUESTION in short
    assert "gouvernance" in short  # kept in-house
    assert "Dans l’industrie" not in whole_plan(advice)  # no generic sector rule


def test_a_stated_low_dependency_outranks_the_sector_rule() -> None:
    advice = recommend(
        {"sector": "industry", "digital_dependency": "low", "pain_points": ["reactive_it"]}
    )
    assert all("Dans l’industrie" not in " ".join(p["why"]) for p in advice["priorities"])


# 4. Already outsourced ----------------------------------------------------------------------


def test_already_outsourced_and_unhappy_gets_steering_not_more_outsourcing() -> None:
    text = "Tout est externalisé chez un infogérant, ça coûte trop cher et il garde tous les accès."
    facts = extract_facts(text)
    assert facts["current_provider"] == "full"
    advice = recommend({**facts, "pain_points": ["cost_pressure", "provider_dependency"]})
    assert advice["situation"] == "steering" and advice["priorities"] == []
    steering = " ".join(item["text"] for item in advice["steering"])
    assert "documentation" in steering and "accès" in steering  # owned by the company
    assert "périmètre" in steering  # evolving, not a frozen contract
    assert "maîtrise" in steering  # control, not only savings
    assert "sécurise l’existant" not in whole_plan(advice)


def test_cost_pressure_alone_does_not_make_support_the_most_exposed_point() -> None:
    advice = recommend({"current_provider": "partial", "pain_points": ["cost_pressure"]})
    assert all("cost_pressure" not in p["because_of"] for p in advice["priorities"])
    assert "le plus exposé" not in whole_plan(advice)


def test_the_provider_question_accepts_short_answers() -> None:
    assert read_message("une partie", "current_provider", describes=False).answer == "partial"
    assert read_message("non, tout en interne", "current_provider", describes=False).answer == (
        "none"
    )
    assert read_message("presque tout", "current_provider", describes=False).answer == "full"


# 5. Everyday phrasings (dev texts, not the blind set) ----------------------------------------


def test_everyday_phrasings_are_understood() -> None:
    cases = {
        "Entre le siège et l'atelier la liaison lâche sans arrêt, plus personne ne se voit.": (
            "server_instability"
        ),
        "On fait des sauvegardes tous les soirs, je suppose.": "backup_doubt",
        "je me demande si nos sauvegardes sont vraiment complètes": "backup_doubt",
        "Nos fichiers clients ne sont que sur le portable du commercial.": "backup_doubt",
    }
    for text, signal in cases.items():
        assert signal in detect_pain_points(text), text


# 6. Field case only when it resembles -------------------------------------------------------


def test_no_field_case_when_none_resembles() -> None:
    advice = recommend({"pain_points": ["security_exposure"], "it_staff": "it_team"})
    assert advice["field_case"] is None
    assert "Un cas réel qui vous ressemble" not in whole_plan(advice)


def test_the_noise_case_for_an_overloaded_team() -> None:
    advice = recommend({"pain_points": ["user_support_overload", "chronic_overload"]})
    assert advice["field_case"]["id"] == "noise_outsourcing"


# 7. Short in a chat ---------------------------------------------------------------------------


def test_the_first_answer_is_short_and_says_each_thing_once() -> None:
    advice = recommend(
        {
            "headcount": 45,
            "sector": "industry",
            "multi_site": True,
            "it_staff": "non_specialist",
            "trigger": "major_outage",
            "pain_points": ["server_instability", "backup_doubt", "key_person_dependency"],
        }
    )
    short = render_advice(advice)
    assert len(short) == 1 and len(short[0].splitlines()) <= 9
    why = "\n".join(render_detail(advice, "why"))
    assert why.count("des doutes sur vos sauvegardes") == 1
    assert short[0].count("des doutes sur vos sauvegardes") == 1


def test_one_service_takes_a_singular_verb() -> None:
    advice = recommend({"pain_points": ["security_exposure"]})
    first = advice["trajectory"][0]["text"]
    assert "c’est aujourd’hui votre point le plus exposé" in first
    assert "ce sont" not in first


def test_a_chronic_overload_is_not_called_an_event() -> None:
    advice = recommend({"trigger": "chronic_overload", "pain_points": ["chronic_overload"]})
    text = next(w["text"] for w in advice["warnings"] if w["id"] == "emergency_outsourcing")
    assert "événement" not in text and "surcharge" in text


def test_the_companys_trade_is_not_a_pain_point() -> None:
    reading = read_message("Nous sommes un bureau d'études en sécurité incendie, 12 salariés.")
    assert reading.pain_points == ()
    assert reading.facts["headcount"] == 12
