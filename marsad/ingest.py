"""Ingest: sources → (workers: clean, analyse, sign) → dedup → store, in batches.

The main process reads the sources, decides duplicate clusters and writes; a process pool
does the expensive part (HTML extraction, analysis, MinHash signatures), each worker
loading the resources once.  Results come back in input order, so cluster decisions and
the stored result do not depend on timing.

Idempotent and resumable: an article's id is a hash of its URL or text; ids already in the
store are skipped (their text is compared, so a changed page is not mistaken for the old
one); each batch is written in one transaction together with its cluster assignments; and
the dedup index is rebuilt from the store's signatures at start.  A run killed at any point
and started again ends with exactly the articles and clusters of one uninterrupted run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marsad.dedup import DedupIndex, Signature
from marsad.model import Analysis, Article
from marsad.sources import Item

DEFAULT_BATCH = 200
#: Articles per task sent to a worker: small enough to balance, large enough to amortise IPC.
CHUNK = 16


@dataclass
class Summary:
    """What one run did (the CLI prints it; ``--json`` prints this as a dict)."""

    read: int = 0  # items read from the sources (articles and bad items)
    new: int = 0  # articles written to the store by this run
    duplicates: int = 0  # of the new ones: joined an existing duplicate cluster
    exact_duplicates: int = 0
    near_duplicates: int = 0
    already_stored: int = 0  # skipped: same id and text already stored, or repeated in the input
    not_arabic: int = 0  # of the new ones: stored, not analysed
    errors: int = 0  # bad items: reported, logged in ingest_errors, skipped
    id_conflicts: int = 0  # a reused id with a different text: stored under a derived id
    events: int = 0
    quotes: int = 0
    seconds: float = 0.0

    @property
    def done(self) -> int:
        """Items finished (stored, skipped or failed); ``read`` also counts items in flight."""
        return self.new + self.already_stored + self.errors

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["seconds"] = round(self.seconds, 3)
        d["articles_per_second"] = round(self.rate, 1)
        return d

    def add(self, other: Summary) -> None:
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


class Reporter:
    """Where ingest tells the user what happens; the CLI's version draws a progress bar."""

    def error(self, where: str, reason: str) -> None:  # a bad item, skipped
        pass

    def warning(self, where: str, message: str) -> None:
        pass

    def progress(self, summary: Summary) -> None:
        pass


# -- the worker side ------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Job:
    where: str
    article: Article
    html: bool
    warnings: tuple[str, ...]
    crawl_date: str | None
    stored_hash: str | None  # the stored text's hash when the id is already in the store


@dataclass(slots=True)
class Result:
    where: str
    id: str
    status: str  # ok | not_analysed | known | error
    analysis: Analysis | None = None
    text_hash: str | None = None
    signature: bytes | None = None
    error: str | None = None
    stored_hash: str | None = None


_WORKER: dict[str, Any] = {}


def _init_worker(actor_files: Sequence[str], force_language: bool, use_ner: bool = True) -> None:
    """Per-process set-up: load the resources once (dictionaries, NER model)."""
    from marsad.resources import load_resources

    _WORKER["res"] = load_resources(actor_files, use_ner=use_ner)
    _WORKER["force"] = force_language


def _work(jobs: list[Job]) -> list[Result]:
    return [_one(j) for j in jobs]


def _one(job: Job) -> Result:
    """HTML → text, clean, (known? stop), analyse, sign.  Never raises."""
    from marsad import dedup
    from marsad.clean import clean_text
    from marsad.pipeline import MAX_CHARS, AnalysisError, analyze
    from marsad.reader import InputError, html_to_text
    from marsad.sources.records import iso_date
    from marsad.store.rows import text_hash

    res = _WORKER["res"]
    art = job.article
    aid = art.id or ""
    warnings = list(job.warnings)
    try:
        if job.html:
            try:
                dec = html_to_text(art.text, job.where)
            except InputError:
                return Result(job.where, aid, "error", error="HTML page with no extractable article text")
            published = art.published
            if not published and dec.published:
                published, _ = iso_date(dec.published)
            art = dataclasses.replace(art, text=dec.text, title=art.title or dec.title,
                                      published=published or job.crawl_date, url=art.url or dec.url)
        if job.stored_hash is not None:
            cleaned = clean_text(art.text[:MAX_CHARS], res.lang).text
            h = text_hash(cleaned)
            if h == job.stored_hash:
                return Result(job.where, aid, "known", text_hash=h)
        try:
            a = analyze(art, res, force_language=_WORKER["force"])
        except AnalysisError as exc:
            # a bad date in the metadata should not cost the article: analyse without it
            if art.published is None:
                raise
            warnings.append(f"{exc}; ignored")
            a = analyze(dataclasses.replace(art, published=None), res, force_language=_WORKER["force"])
        if not a.text.strip():
            return Result(job.where, aid, "error", error="no text left after removing scraping artifacts")
        if warnings:
            a = dataclasses.replace(a, warnings=(*warnings, *a.warnings))
        status = "ok" if (a.language == res.lang.code or _WORKER["force"]) else "not_analysed"
        sig = dedup.signature(a.text).to_bytes()
        return Result(job.where, aid, status, a, text_hash(a.text), sig, stored_hash=job.stored_hash)
    except (AnalysisError, InputError, ValueError) as exc:
        return Result(job.where, aid, "error", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    except Exception as exc:  # a bug in an extractor must not stop a corpus: report, skip, go on
        msg = str(exc).splitlines()[0] if str(exc) else ""
        return Result(job.where, aid, "error", error=f"internal error while analysing ({type(exc).__name__}: {msg}); "
                                                     "please report it")


class _InlineExecutor(Executor):
    """--workers 1: run in this process (no pickling, easier to debug)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        f: Future[Any] = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            f.set_exception(exc)
        return f


# -- the main side --------------------------------------------------------------------------
@dataclass
class IngestOptions:
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    batch_size: int = DEFAULT_BATCH
    analyse_all_languages: bool = False
    actor_files: tuple[str, ...] = ()
    use_ner: bool = True  # False: dictionary and rules only (about twice as fast)


class Ingestor:
    """Owns the worker pool and the dedup index for one or more runs into one store."""

    def __init__(self, store: Any, options: IngestOptions | None = None, reporter: Reporter | None = None) -> None:
        self.store = store
        self.opt = options or IngestOptions()
        self.rep = reporter or Reporter()
        self.index = DedupIndex()
        self._run_hashes: dict[str, str] = {}  # id → text hash of what this process wrote or skipped
        self._raw_seen: dict[str, str] = {}  # id → hash of the raw input seen in this process
        self._executor: Executor | None = None
        self.loaded = self._load_index()

    # set-up / tear-down
    def _load_index(self) -> int:
        """Rebuild the dedup index from the store: every stored signature with its cluster."""
        from sqlalchemy import select

        from marsad.store import schema as S

        clusters: dict[str, str | None] = {}
        a = S.articles
        with self.store.read() as conn:
            res = conn.execute(select(a.c.id, a.c.cluster_id).execution_options(yield_per=20000))
            for row in res:
                clusters[row.id] = row.cluster_id
        n = bad = 0
        for aid, blob in self.store.iter_signatures():
            try:
                sig = Signature.from_bytes(blob)
            except ValueError:
                bad += 1
                continue
            self.index.add_stored(aid, clusters.get(aid), sig)
            n += 1
        if bad:
            self.rep.warning(str(self.store.location), f"{bad} stored signatures were made differently "
                                                       "(another marsad version?); those articles cannot be matched")
        return n

    def _pool(self) -> Executor:
        if self._executor is None:
            if self.opt.workers <= 1:
                _init_worker(self.opt.actor_files, self.opt.analyse_all_languages, self.opt.use_ner)
                self._executor = _InlineExecutor()
            else:
                import multiprocessing as mp

                ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
                ex = ProcessPoolExecutor(max_workers=self.opt.workers, mp_context=ctx, initializer=_init_worker,
                                         initargs=(self.opt.actor_files, self.opt.analyse_all_languages,
                                                   self.opt.use_ner))
                # start every worker now, before a progress thread exists in this process
                list(ex.map(_noop, range(self.opt.workers)))
                self._executor = ex
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self) -> Ingestor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the run
    def run(self, items: Iterable[Item], summary: Summary | None = None) -> Summary:
        """Ingest every item; returns what happened (bad items are reported, not raised).

        ``summary``, when given, is filled in as the run goes, so that a caller still has the
        counts of an interrupted run (everything counted as new is committed)."""
        s = summary if summary is not None else Summary()
        t0 = time.monotonic() - s.seconds
        pool = self._pool()
        pending: deque[tuple[list[Job], list[Future[list[Result]]]]] = deque()
        batch: list[Item] = []
        window = 2 if self.opt.workers > 1 else 0

        def flush() -> None:
            if batch:
                pending.append(self._submit(pool, batch))
                batch.clear()
            while len(pending) > window:
                self._finish(*pending.popleft(), s, t0)

        for item in items:
            s.read += 1
            if item.error is not None:
                self._bad(s, item.where, item.error)
            elif item.known:
                s.already_stored += 1
            elif item.article is not None:
                art = item.article if item.article.id else item.article.with_id()
                if art is not item.article:
                    item = dataclasses.replace(item, article=art)
                raw = _raw_hash(art.text)
                seen = self._raw_seen.get(art.id or "")
                if seen == raw:
                    s.already_stored += 1  # the same record twice in the input
                else:
                    self._raw_seen.setdefault(art.id or "", raw)
                    batch.append(item)
                    if len(batch) >= self.opt.batch_size:
                        flush()
            if s.read % 50 == 0:
                s.seconds = time.monotonic() - t0
                self.rep.progress(s)
        flush()
        while pending:
            self._finish(*pending.popleft(), s, t0)
        s.seconds = time.monotonic() - t0
        self.rep.progress(s)
        return s

    def _bad(self, s: Summary, where: str, reason: str) -> None:
        s.errors += 1
        self.rep.error(where, reason)
        self.store.log_error(None, where, reason)

    def _submit(self, pool: Executor, items: list[Item]) -> tuple[list[Job], list[Future[list[Result]]]]:
        ids = [it.article.id for it in items if it.article is not None and it.article.id]
        stored = self._stored_hashes(ids)
        jobs = [Job(it.where, it.article, it.html, it.warnings, it.crawl_date, stored.get(it.article.id or ""))
                for it in items if it.article is not None]
        futures = [pool.submit(_work, jobs[i:i + CHUNK]) for i in range(0, len(jobs), CHUNK)]
        return jobs, futures

    def _stored_hashes(self, ids: list[str]) -> dict[str, str]:
        from sqlalchemy import select

        from marsad.store import schema as S

        out: dict[str, str] = {}
        want = list(dict.fromkeys(ids))
        a = S.articles
        with self.store.read() as conn:
            for i in range(0, len(want), 500):
                for row in conn.execute(select(a.c.id, a.c.text_hash).where(a.c.id.in_(want[i:i + 500]))):
                    out[row.id] = row.text_hash
        return out

    def _finish(self, jobs: list[Job], futures: list[Future[list[Result]]], s: Summary, t0: float) -> None:
        from marsad.store import StoredArticle
        from marsad.store.rows import now_iso

        results: list[Result] = []
        for f in futures:
            results.extend(f.result())
        out: list[StoredArticle] = []
        kinds: list[str] = []
        for r in results:
            if r.status == "error":
                self._bad(s, r.where, r.error or "failed")
                continue
            if r.status == "known":
                s.already_stored += 1
                continue
            assert r.analysis is not None and r.text_hash is not None and r.signature is not None
            aid = r.id
            prev = self._run_hashes.get(aid)
            conflict = (prev is not None and prev != r.text_hash) or (
                prev is None and r.stored_hash is not None and r.stored_hash != r.text_hash)
            if prev is not None and not conflict:
                s.already_stored += 1
                continue
            if conflict:
                new_id = f"{aid}~{r.text_hash[:8]}"
                s.id_conflicts += 1
                self.rep.warning(r.where, f"id {aid!r} is already used by a different text; stored this one as {new_id!r}")
                if new_id in self._run_hashes or self.store.known_ids([new_id]):
                    s.already_stored += 1
                    continue
                aid = new_id
            self._run_hashes[aid] = r.text_hash
            analysis = r.analysis if aid == r.analysis.id else dataclasses.replace(r.analysis, id=aid)
            a = self.index.assign(aid, Signature.from_bytes(r.signature))
            kinds.append(a.kind)
            out.append(StoredArticle.from_analysis(analysis, status=r.status, minhash=r.signature,
                                                   cluster_id=a.cluster_id, ingested_at=now_iso(),
                                                   text_hash=r.text_hash))
        if out:
            written = self.store.write_articles(out)
            if written < len(out):
                self.rep.warning(str(self.store.location), f"{len(out) - written} article(s) not written: another "
                                                           "process stored a different text under the same id")
            s.new += written
            s.exact_duplicates += kinds.count("exact")
            s.near_duplicates += kinds.count("near")
            s.duplicates = s.exact_duplicates + s.near_duplicates
            s.not_arabic += sum(1 for o in out if o.status == "not_analysed")
            s.events += sum(len(o.analysis.events) for o in out if o.analysis)
            s.quotes += sum(len(o.analysis.quotes) for o in out if o.analysis)
        s.seconds = time.monotonic() - t0
        self.rep.progress(s)


def _noop(_: int) -> None:
    return None


def _raw_hash(text: str) -> str:
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def ingest(sources: Sequence[str | Path], store: Any, options: IngestOptions | None = None,
           reporter: Reporter | None = None, fetcher: Any = None, summary: Summary | None = None) -> Summary:
    """Ingest files, folders, archives and feed URLs into ``store`` (see :mod:`marsad.sources`)."""
    from marsad.sources import iter_sources

    with Ingestor(store, options, reporter) as ing:
        return ing.run(iter_sources([str(x) for x in sources], fetcher=fetcher, is_known=store.known_ids), summary)


def follow(feed_urls: list[str], store: Any, every: float, *, options: IngestOptions | None = None,
           reporter: Reporter | None = None, fetcher: Any = None, max_polls: int | None = None,
           sleep: Callable[[float], None] = time.sleep,
           on_round: Callable[[int, Summary], None] | None = None) -> Summary:
    """Poll feeds every ``every`` seconds and ingest new entries, until ``max_polls`` rounds."""
    from marsad.feeds import Fetcher, Poller

    own = fetcher is None
    f = fetcher or Fetcher()
    total = Summary()
    try:
        with Ingestor(store, options, reporter) as ing:
            poller = Poller(feed_urls, every, f)
            rounds = 0
            while max_polls is None or rounds < max_polls:
                wait = poller.next_wakeup() - time.monotonic()
                if wait > 0:
                    sleep(wait)
                s = ing.run(_iter_poll(poller, store))
                rounds += 1
                total.add(s)
                if on_round:
                    on_round(rounds, s)
    finally:
        if own:
            f.close()
    return total


def _iter_poll(poller: Any, store: Any) -> Iterator[Item]:
    yield from poller.poll(is_known=store.known_ids)
