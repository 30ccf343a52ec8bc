# Passes probabilities, not log-probabilities, as kl_div's input: kl_div computes
# target * (log target - input), so the result is not a KL divergence at all.
import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, T, alpha):
    soft = F.kl_div(F.softmax(student_logits / T, dim=1), F.softmax(teacher_logits / T, dim=1), reduction="batchmean")
    return alpha * T * T * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
