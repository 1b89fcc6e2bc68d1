"""Reviews as sequences: their lengths, pad_sequences, and what one-hot encoding costs, with their figures."""
