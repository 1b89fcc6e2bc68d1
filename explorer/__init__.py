"""IMDB Sequence Explorer: the library behind the app (never imports streamlit)."""
