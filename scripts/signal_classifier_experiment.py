"""Experiment (issue 11): a small multi-label classifier beside the patterns.

Trains TF-IDF (character and word n-grams) + one-vs-rest logistic regression on the tuning and dev
texts of tests/knowledge/signal_texts.yml, picks the threshold on blind + blind2 (never trained
on), and with a threshold argument scores blind3 once: PYTHONPATH=. python
scripts/signal_classifier_experiment.py 0.5. Not used by the engine (see the README figures).
"""

import sys
from pathlib import Path

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_union
from sklearn.preprocessing import MultiLabelBinarizer

from knowledge import detect_pain_points
from knowledge.profile import SIGNAL_IDS
from knowledge.text import normalize


def load(name: str) -> dict:
    return yaml.safe_load(Path(f"tests/knowledge/{name}.yml").read_text(encoding="utf-8"))


T = load("signal_texts")
train = T["texts"] + T["holdout"] + T["fresh"] + T["dev"]
sel = T["blind"] + load("signal_texts_blind2")["blind2"]
b3 = load("signal_texts_blind3")["blind3"]
mlb = MultiLabelBinarizer(classes=SIGNAL_IDS)
Y = mlb.fit_transform([i["expected"] for i in train])
vec = make_union(
    TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), min_df=1, sublinear_tf=True, preprocessor=normalize
    ),
    TfidfVectorizer(analyzer="word", ngram_range=(1, 2), preprocessor=normalize),
)
X = vec.fit_transform([i["text"] for i in train])
clf = OneVsRestClassifier(LogisticRegression(C=10, max_iter=2000, class_weight="balanced")).fit(
    X, Y
)


def score(items, th, use_pat=True, use_clf=True):
    tp = fp = fn = 0
    probabilities = clf.predict_proba(vec.transform([i["text"] for i in items]))
    for it, p in zip(items, probabilities, strict=True):
        f = set()
        if use_pat:
            f |= set(detect_pain_points(it["text"]))
        if use_clf:
            f |= {SIGNAL_IDS[k] for k in range(len(SIGNAL_IDS)) if p[k] >= th}
        e = set(it["expected"])
        tp += len(f & e)
        fp += len(f - e)
        fn += len(e - f)
    return round(tp / ((tp + fp) or 1), 2), round(tp / ((tp + fn) or 1), 2)


print("selection (blind+blind2) patterns only", score(sel, 1, True, False))
for th in (0.3, 0.4, 0.5, 0.6):
    print("selection th", th, "union", score(sel, th), "clf only", score(sel, th, False, True))
if len(sys.argv) > 1:
    th = float(sys.argv[1])
    print("BLIND3 th", th, "union", score(b3, th), "patterns", score(b3, 1, True, False))
