"""Trained models shipped with marsad (see scripts/ for how each one is rebuilt).

``ner-ar.crfsuite`` (+ ``ner-ar.json``, its training record) is derived from ANERcorp
(CAMeL Lab train split, CC BY-SA 4.0); see NOTICE.
"""
