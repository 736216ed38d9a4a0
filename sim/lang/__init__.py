"""The scenario language: YAML with positions, the expression compiler, validation, schema and compilation."""
