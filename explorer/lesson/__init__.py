"""Lesson mode: lesson files and their facts, the code behind every view, exports, the class board."""
