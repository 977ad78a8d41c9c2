"""bot.patches.perf_tf_threads: the Rasa server runs TensorFlow with one thread per pool."""

from __future__ import annotations

import os

from rasa.constants import ENV_CPU_INTER_OP_CONFIG, ENV_CPU_INTRA_OP_CONFIG

from bot.patches import PATCHES, perf_tf_threads


def test_listed_in_the_server_patches():
    assert "perf_tf_threads" in PATCHES


def test_sets_the_variables_rasa_reads(monkeypatch):
    monkeypatch.delenv(ENV_CPU_INTER_OP_CONFIG, raising=False)
    monkeypatch.delenv(ENV_CPU_INTRA_OP_CONFIG, raising=False)
    perf_tf_threads.apply()
    assert os.environ[ENV_CPU_INTER_OP_CONFIG] == "1"
    assert os.environ[ENV_CPU_INTRA_OP_CONFIG] == "1"


def test_an_explicit_setting_wins(monkeypatch):
    monkeypatch.setenv(ENV_CPU_INTRA_OP_CONFIG, "2")
    perf_tf_threads.apply()
    assert os.environ[ENV_CPU_INTRA_OP_CONFIG] == "2"
