"""One TensorFlow thread per pool in the Rasa server (unless the environment says otherwise).

TensorFlow sizes its intra-op and inter-op thread pools to the number of cores. DIET and TED
run tiny tensors, one message at a time: splitting an op over two threads only adds hand-offs,
and on a busy 2-core machine each hand-off waits for the other thread to be scheduled. Measured
on the same model and machine (issue #9): Rasa CPU per turn 33 -> 27 ms, one conversation p50
172 -> 60 ms, 20 conversations without pause 6.9 -> 16.5 turns/s. Rasa reads these variables
(`rasa.constants.ENV_CPU_*_OP_CONFIG`) when its command line starts, after the patches.
"""

from __future__ import annotations

import os

THREADS = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
}


def apply() -> None:
    for variable, value in THREADS.items():
        os.environ.setdefault(variable, value)
