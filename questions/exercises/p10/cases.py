import numpy as np

from kdlab.practice.exercises import Case

# The parameter names and shapes of kdlab.deep.cnn.CNN(channels=4, layers=2, n_classes=5) on 8x8 images.
CNN_SHAPES = {
    "blocks.0.0.weight": (4, 1, 3, 3),
    "blocks.0.0.bias": (4,),
    "blocks.1.0.weight": (4, 4, 3, 3),
    "blocks.1.0.bias": (4,),
    "head.weight": (5, 16),
    "head.bias": (5,),
}


def cases():
    rng = np.random.default_rng(10)
    params = {"body.weight": np.array([1.0, -2.0]), "head.weight": np.array([0.5]), "head.bias": np.array([0.0])}
    grads = {"body.weight": np.array([0.5, 0.5]), "head.weight": np.array([-1.0]), "head.bias": np.array([2.0])}
    yield Case({"en": "body at a tenth of the rate", "zh": "主干用十分之一的学习率"}, args=(params, grads, 0.1, 0.1))
    yield Case({"en": "linear probe: the body frozen", "zh": "线性探测：冻结主干"}, args=(params, grads, 0.1, 0.1), kwargs={"frozen": ["body."]})

    p = {k: rng.normal(size=s) for k, s in CNN_SHAPES.items()}
    g = {k: rng.normal(size=s) for k, s in CNN_SHAPES.items()}
    yield Case(
        {"en": "CNN: first block frozen, weight decay", "zh": "CNN：冻结第一个块，带权重衰减"},
        args=(p, g, 0.01, 0.1),
        kwargs={"frozen": ["blocks.0."], "weight_decay": 0.05},
        hidden=True,
    )
    yield Case({"en": "CNN: full fine-tuning", "zh": "CNN：全量微调"}, args=(p, g, 0.01, 1.0), hidden=True)
    yield Case(
        {"en": "CNN: everything frozen", "zh": "CNN：全部冻结"},
        args=(p, g, 0.01, 0.1),
        kwargs={"frozen": ["blocks.", "head."], "weight_decay": 0.1},
        hidden=True,
    )
    yield Case(
        {"en": "CNN: body frozen, head with weight decay", "zh": "CNN：冻结主干，分类头带权重衰减"},
        args=(p, g, 0.05, 0.5),
        kwargs={"frozen": ("blocks.",), "weight_decay": 0.01},
        hidden=True,
    )
