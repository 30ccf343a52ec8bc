"""Reinforcement learning on an editable grid: Q-learning, SARSA, value iteration."""
