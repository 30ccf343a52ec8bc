# Forgets the T² factor: the soft term's gradients shrink like 1/T², so it fades as T grows.
import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, T, alpha):
    soft = F.kl_div(
        F.log_softmax(student_logits / T, dim=1), F.softmax(teacher_logits / T, dim=1), reduction="batchmean"
    )
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)
