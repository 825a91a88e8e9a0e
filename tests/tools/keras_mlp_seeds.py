"""Test accuracy of the Keras course MLP after 5 epochs, for each seed given.

The recipe of `nabla train` (defaults): Flatten -> Dense(128, relu) -> Dropout(0.2)
-> Dense(10), SparseCategoricalCrossentropy(from_logits), Adam 1e-3, batch 32, 5
epochs, images / 255. Prints "seed accuracy" per line. It gives the spread that
tests/e2e/test_training.cpp's threshold is taken from (docs/performance.md).

Usage: KERAS_PYTHON tests/tools/keras_mlp_seeds.py 1 2 3 4 5 6
(a venv with tensorflow-cpu and keras, e.g. build-bench/venv-tf from `make bench`).
"""
import os, sys, gzip, numpy as np
os.environ["TF_CPP_MIN_LOG_LEVEL"]="2"
import tensorflow as tf, keras
tf.config.threading.set_intra_op_parallelism_threads(2)
d="/usr/share/datasets/fashion-mnist"
def rd(name, off):
    with gzip.open(os.path.join(d,name)) as f: return np.frombuffer(f.read(), np.uint8, offset=off)
xtr=rd("train-images-idx3-ubyte.gz",16).reshape(-1,28,28)/255.0; ytr=rd("train-labels-idx1-ubyte.gz",8)
xte=rd("t10k-images-idx3-ubyte.gz",16).reshape(-1,28,28)/255.0; yte=rd("t10k-labels-idx1-ubyte.gz",8)
for seed in map(int, sys.argv[1:]):
    keras.utils.set_random_seed(seed)
    m=keras.Sequential([keras.Input((28,28)),keras.layers.Flatten(),keras.layers.Dense(128,activation="relu"),keras.layers.Dropout(0.2),keras.layers.Dense(10)])
    m.compile(optimizer="adam",loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),metrics=["accuracy"])
    m.fit(xtr,ytr,epochs=5,batch_size=32,verbose=0)
    print(seed, m.evaluate(xte,yte,verbose=0)[1], flush=True)
