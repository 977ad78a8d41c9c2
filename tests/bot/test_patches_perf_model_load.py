"""bot.patches.perf_model_load: same weights, without a traced training step."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
from rasa.utils.tensorflow.model_data import FeatureArray, RasaModelData
from rasa.utils.tensorflow.models import RasaModel

from bot.patches import PATCHES, perf_model_load


class TinyModel(RasaModel):
    """The smallest RasaModel: one dense layer over one dense feature."""

    def __init__(self, config: dict) -> None:
        super().__init__(random_seed=1)
        self.config = config
        self.dense = tf.keras.layers.Dense(2, kernel_regularizer=tf.keras.regularizers.l2(0.01))

    def _features(self, batch_in):
        return tf.reshape(tf.cast(batch_in[0], tf.float32), (-1, 3))

    def batch_loss(self, batch_in):
        return tf.reduce_mean((self.dense(self._features(batch_in)) - 1.0) ** 2)

    def batch_predict(self, batch_in):
        return {"out": self.dense(self._features(batch_in))}


def model_data(rows: int) -> RasaModelData:
    features = np.array([np.full((1, 3), i + 1.0, dtype=np.float32) for i in range(rows)])
    return RasaModelData(data={"text": {"sentence": [FeatureArray(features, 3)]}})


@pytest.fixture
def trained(tmp_path):
    """Weights of a model after a few real training steps, saved as Rasa saves them."""
    model = TinyModel({})
    model.compile(optimizer=tf.keras.optimizers.Adam(0.1))
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

    model.fit(RasaBatchDataGenerator(model_data(4), batch_size=2, epochs=1), epochs=3, verbose=0)
    path = str(tmp_path / "tiny.tf_model")
    model.save(path)
    return path, model.dense.get_weights()


class TwoLayerModel(RasaModel):
    """Two dense layers; `reverse` tracks them in the other order, so a fresh optimizer's slot
    variables come in another order than in the saved checkpoint (as TED's did at load)."""

    def __init__(self, config: dict, reverse: bool = False) -> None:
        super().__init__(random_seed=1)
        self.config = config
        regularizer = tf.keras.regularizers.l2(0.01)
        if reverse:  # same layers and names, tracked (and so optimized) in the other order
            self.second = tf.keras.layers.Dense(2)
            self.first = tf.keras.layers.Dense(4, kernel_regularizer=regularizer)
        else:
            self.first = tf.keras.layers.Dense(4, kernel_regularizer=regularizer)
            self.second = tf.keras.layers.Dense(2)

    def _out(self, batch_in):
        features = tf.reshape(tf.cast(batch_in[0], tf.float32), (-1, 3))
        return self.second(self.first(features))

    def batch_loss(self, batch_in):
        return tf.reduce_mean((self._out(batch_in) - 1.0) ** 2)

    def batch_predict(self, batch_in):
        return {"out": self._out(batch_in)}


def test_optimizer_slots_in_another_order_do_not_break_the_load(tmp_path):
    """Optimizer slots are restored by position: with an optimizer step at load, slots created
    in another order meet tensors of another shape and loading fails (Rasa's TEDPolicy then
    swallows the ValueError and runs without its model). The server needs no optimizer slots."""
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

    model = TwoLayerModel({})
    model.compile(optimizer=tf.keras.optimizers.Adam(0.1))
    model.fit(RasaBatchDataGenerator(model_data(4), batch_size=2, epochs=1), epochs=2, verbose=0)
    path = str(tmp_path / "two.tf_model")
    model.save(path)
    perf_model_load.apply()
    loaded = TwoLayerModel.load(path, model_data(1), model_data(1), config={}, reverse=True)
    for layer in ("first", "second"):
        for got, expected in zip(
            getattr(loaded, layer).get_weights(), getattr(model, layer).get_weights(), strict=True
        ):
            np.testing.assert_allclose(got, expected)
    np.testing.assert_allclose(
        loaded.run_inference(model_data(2))["out"], model.run_inference(model_data(2))["out"]
    )


def test_listed_in_the_server_patches():
    assert "perf_model_load" in PATCHES


def test_loaded_model_has_the_trained_weights_and_no_training_graph(trained):
    path, weights = trained
    perf_model_load.apply()
    loaded = TinyModel.load(path, model_data(1), model_data(1), config={})
    for got, expected in zip(loaded.dense.get_weights(), weights, strict=True):
        np.testing.assert_allclose(got, expected)
    # Rasa's own load traces the training step into a tf.function; the patch runs it eagerly.
    assert not isinstance(loaded.train_function, tf.types.experimental.GenericFunction)
    assert not loaded.run_eagerly  # predictions are traced as before
    out = loaded.run_inference(model_data(2))["out"]
    assert out.shape == (2, 2)


def test_apply_is_idempotent():
    perf_model_load.apply()
    patched = RasaModel.load
    perf_model_load.apply()
    assert RasaModel.load.__func__ is patched.__func__
