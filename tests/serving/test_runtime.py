"""What the service loads before it answers (serving/runtime.py)."""

from __future__ import annotations


def test_the_service_reads_the_lexicon_before_it_answers_and_a_reader_alone_does_not(engine, tmp_path):
    from inference.documents import lexicon
    from inference.documents.reader import DocumentReader
    from serving.runtime import Runtime
    from serving.settings import Settings
    from serving.storage import Store

    lexicon.words.cache_clear()
    DocumentReader(engine)  # the calibration's and the training's reader: no fields read, no lexicon
    assert lexicon.words.cache_info().currsize == 0
    settings = Settings(data_dir=tmp_path, _env_file=None)
    runtime = Runtime(settings, Store(settings.database_url), engine)
    runtime.load_models()
    assert runtime.ready and runtime.error is None
    assert lexicon.words.cache_info().currsize == 1  # read before /readyz says ready: the first review does not
