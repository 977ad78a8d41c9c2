import re
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def test_greeting_is_answered_in_french(running_bot) -> None:
    messages = running_bot.send("e2e-greeting", "Bonjour, que sais-tu faire ?")
    texts = " ".join(m.get("text", "") for m in messages)
    assert texts, messages
    assert re.search(r"externalis", texts, re.IGNORECASE), texts
    assert re.search(r"[éèàç]", texts), "la réponse doit être en français accentué"


def test_widget_page_and_config_are_served(running_bot) -> None:
    with urllib.request.urlopen(running_bot.widget_url, timeout=10) as response:
        page = response.read().decode()
    assert '<html lang="fr">' in page
    with urllib.request.urlopen(running_bot.widget_url + "config.js", timeout=10) as response:
        config = response.read().decode()
    assert running_bot.rasa_url in config
