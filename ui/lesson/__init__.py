"""Lesson mode: following a lesson, its bar above each step's page, and the class board."""
