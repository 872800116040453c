"""The paper's Tables 1-10 and Figures 1-2 from the marts (SPEC section 5).

``run.run_analysis`` is the entry point; descriptive.py (Tables 1-5), county.py (6, 8), panel.py
(7, 9, 10) and figures.py build the pieces from data frames shaped like the marts; estimators.py holds
the two estimators and every small-sample choice."""
