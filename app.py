"""IMDB Sequence Explorer: the entry point. It only draws the shared sidebar and routes.

streamlit run app.py
"""

# Streamlit runs this file as __main__. The training worker and the projection process are spawned,
# and spawning imports the parent's main script again, as __mp_main__: there it must neither run the
# app (which would draw the pages in bare mode and start a worker of its own) nor import the UI,
# which cost each new process seconds (Streamlit, plotly, pandas) before it could start its work.
if __name__ == "__main__":
    import streamlit as st

    from ui.embeddings.projecting import projection_process
    from ui.lesson.banner import draw_lesson_bar
    from ui.navigation import HOME, navigation_pages
    from ui.sidebar import draw_sidebar

    st.set_page_config(page_title="IMDB Sequence Explorer", page_icon="🎬", layout="wide")
    draw_sidebar()  # first, so a language given in the link also names the pages
    page = st.navigation(navigation_pages())
    draw_lesson_bar(page.url_path or HOME.key)  # a lesson's step: what to look at, a question, Back / Next
    projection_process()  # once per server: t-SNE / UMAP's process starts and compiles UMAP, apart from the pages
    page.run()
