"""The bundled scenario library (YAML files beside this module); see ``sim.scenario.library_dir``."""
