"""Classical machine learning, written out in numpy: regression by gradient descent."""
