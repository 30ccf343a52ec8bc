"""Knowledge distillation: the loss, the students, the teacher and the experiments.

    loss.py            soft targets and the distillation loss (Hinton et al., 2015)
    students.py        the small MLP students and their training loop
    teacher.py         the teacher CNN, the shared data split, one student's training run
    experiment.py      student alone vs distilled, the temperature sweep (the demo's run())
    dark_knowledge.py  a class the student never saw, learned from soft targets alone

The names a notebook needs are importable from here: `from kdlab.distill import distillation_loss`.
"""

from kdlab.distill.experiment import (
    PARAMS,
    SWEEP_TS,
    DistillResult,
    SweepResult,
    compare,
    run,
    summarize,
    temperature_sweep,
)
from kdlab.distill.loss import distillation_loss, entropy_bits, soft_targets, teacher_probabilities
from kdlab.distill.teacher import (
    BATCH_SIZE,
    N_TRAIN,
    SPLIT_SEED,
    Prepared,
    choose_labelled,
    default_teacher,
    prepare,
    shared_split,
    train_student,
    train_teacher,
)

__all__ = [
    "BATCH_SIZE", "N_TRAIN", "PARAMS", "SPLIT_SEED", "SWEEP_TS", "DistillResult", "Prepared", "SweepResult",
    "choose_labelled", "compare", "default_teacher", "distillation_loss", "entropy_bits", "prepare", "run",
    "shared_split", "soft_targets", "summarize", "teacher_probabilities", "temperature_sweep",
    "train_student", "train_teacher",
]  # fmt: skip
