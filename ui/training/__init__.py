"""The training studio's sections."""
