"""Load DIET's and TED's TensorFlow models without tracing a training graph.

Rasa 3.6.21 (`RasaModel.load`) builds a model's weights by compiling it and fitting it on one
example, then overwrites them with the trained weights. `fit` traces the whole training step
(forward, loss, gradients, optimizer) into a TensorFlow graph: about 60 % of the Rasa server's
startup in a py-spy profile (issue #9), and a graph the server never uses again. Here one eager
forward pass of the training loss creates the model's variables, without tracing and without an
optimizer step; the trained weights are then loaded exactly as before, and prediction is traced
as before. The optimizer's slots stay in the checkpoint: they are restored by position, and an
optimizer step at load (the first version of this patch) created them in another order than
TED's checkpoint, so loading raised a ValueError that `TEDPolicy.load` swallows: the server ran
without TED. Checked on the trained model: every DIET and TED variable and prediction equal to
Rasa's own load. Fine-tuning (`finetune_mode`) keeps Rasa's own method.
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
            run_eagerly=config.get(RUN_EAGERLY),
        )
        # One eager forward pass of the training loss creates the model's variables (those
        # Rasa's traced step creates), with no optimizer step: the optimizer's slots are never
        # used by the server and are left in the checkpoint (expect_partial).
        batch, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
        model._training = True
        model.batch_loss(tf.nest.map_structure(tf.convert_to_tensor, batch))
        model._training = None
        model.load_weights(model_file_name).expect_partial()
        if predict_data_example:
            # As Rasa does: the first prediction traces the prediction graph.
            model.run_inference(predict_data_example)
        return model

    setattr(load, MARK, True)
    RasaModel.load = classmethod(load)
