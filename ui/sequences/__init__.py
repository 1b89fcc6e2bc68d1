"""The sections of the data pages (padding, one-hot) that rerun on their own."""
