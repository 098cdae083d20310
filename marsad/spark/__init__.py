"""marsad on Apache Spark: the same pipeline, dedup and store tables for corpora of any size.

``marsad spark analyze INPUT... --out DIR`` (or ``spark-submit marsad/spark/job.py``) reads
JSONL, Parquet, WARC and every format ``marsad ingest`` reads, runs :func:`marsad.pipeline.analyze`
in the executors, clusters duplicates with the single-machine rules (:mod:`marsad.dedup`), and
writes Parquet tables with the store's columns; ``marsad load DIR`` bulk-loads them into a store.

Only :mod:`.job` and :mod:`.dedup_spark` import pyspark: the executor-side code (:mod:`.worker`,
:mod:`.replay`), the table layout (:mod:`.tables`) and the loader (:mod:`.load`) need pyarrow
alone, so ``marsad load`` works without Spark installed.
"""
