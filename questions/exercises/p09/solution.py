# A learner's solution written out with torch.nn.functional (the page grades against
# kdlab.distill.loss.distillation_loss, which writes the KL by hand).
import torch.nn.functional as F


def distillation_loss(student_logits, teacher_logits, labels, T, alpha):
    soft = F.kl_div(
        F.log_softmax(student_logits / T, dim=1),  # input: the student's log-probabilities
        F.log_softmax(teacher_logits.detach() / T, dim=1),  # target: the teacher's, as logs
        reduction="batchmean",  # summed over classes, averaged over examples
        log_target=True,
    )
    hard = F.cross_entropy(student_logits, labels)
    return alpha * T * T * soft + (1 - alpha) * hard
