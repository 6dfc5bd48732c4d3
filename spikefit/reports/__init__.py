"""Reports: model comparison (``comparison``, with ``cells``, ``scoring``, ``statistics``,
``parallel``), the report page (``writer``, ``comparison_figures``), reproductions of published
studies (``destexhe2009``, ``network_sweeps``), the interactive explorer (``explorer``) and
figures of traces (``figures``). Modules import matplotlib, Optuna or Brian 2 only when used."""
