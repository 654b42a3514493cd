"""The script Streamlit runs (``boernesim app``); the pages are in ``sim.app.pages``."""

from sim.app.pages import main

# Streamlit runs this file as __main__; a run's worker process (spawned) imports it as __mp_main__ and must
# not draw the pages
if __name__ == "__main__":
    main()
