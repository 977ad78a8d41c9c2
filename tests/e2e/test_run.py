import json
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
        policy = response.headers["Content-Security-Policy"]
    assert '<html lang="fr">' in page
    assert '<script src="/widget.js" defer></script>' in page
    assert f"connect-src 'self' {running_bot.rasa_url} " in policy
    with urllib.request.urlopen(running_bot.widget_url + "config.json", timeout=10) as response:
        config = json.loads(response.read())
    # PUBLIC_URL defaults to the Rasa server's own address.
    assert config == {"serverUrl": running_bot.rasa_url}
    with urllib.request.urlopen(running_bot.widget_url + "widget.js", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/javascript")
