"""The script Streamlit runs (``boernesim app``); the pages are in ``sim.app.pages``."""

from sim.app.pages import main

main()
