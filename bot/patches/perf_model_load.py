"""Load DIET's and TED's TensorFlow models without tracing a training graph.

Rasa 3.6.21 (`RasaModel.load`) builds a model's weights by compiling it and fitting it on one
example, then overwrites them with the trained weights. `fit` traces the whole training step
(forward, loss, gradients, optimizer) into a TensorFlow graph: about 60 % of the Rasa server's
startup in a py-spy profile (issue #9), and a graph the server never uses again. Here that one
step runs eagerly, which creates the same variables without tracing; the trained weights are then
loaded exactly as before, and prediction is traced as before (`run_eagerly` is restored).
Fine-tuning (`finetune_mode`) keeps Rasa's own method.
"""

from __future__ import annotations

from typing import Any

MARK = "_perf_eager_build"


def apply() -> None:
    from rasa.utils.tensorflow.models import RasaModel

    original = RasaModel.load.__func__
    if getattr(original, MARK, False):
        return

    def load(
        cls: type[RasaModel],
        model_file_name: str,
        model_data_example: Any,
        predict_data_example: Any = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode:
            return original(
                cls, model_file_name, model_data_example, predict_data_example, True, *args,
                **kwargs,
            )  # fmt: skip
        import tensorflow as tf
        from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
        from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        model.compile(
            optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
            run_eagerly=True,
        )
        # One eager step creates the variables (as Rasa's traced step does), untraced.
        model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
        model.run_eagerly = config.get(RUN_EAGERLY)  # prediction is traced, as in Rasa
        model.load_weights(model_file_name)
        if predict_data_example:
            # As Rasa does: the first prediction traces the prediction graph.
            model.run_inference(predict_data_example)
        return model

    setattr(load, MARK, True)
    RasaModel.load = classmethod(load)
