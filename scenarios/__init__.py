"""The bundled scenario library (YAML files beside this module); see ``sim.lang.scenario.library_dir``."""
