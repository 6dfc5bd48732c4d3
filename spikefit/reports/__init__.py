"""Reports: model comparison (``comparison``, with ``cells``, ``scoring``, ``statistics``,
``parallel``), the report page (``writer``, ``comparison_figures``), the interactive explorer (``explorer``)
and figures of traces (``figures``). Reproductions of published studies are in
``spikefit.studies``. Modules import matplotlib, Optuna or Brian 2 only when used."""
