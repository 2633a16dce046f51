{#- Settings of the warehouse session a model or snapshot runs in, as its pre-hook (dbt_project.yml).
    PostgreSQL: JIT off. Our models are large scans of views whose cost is per-row expressions; the
    server's JIT compiles them on every query (seconds) and measured slower overall (README,
    "PostgreSQL plans"). dbt-postgres has no connection `options`, so the setting is made here; a
    session setting, it also holds for the tests that later run on the same thread's connection.
    Other engines: nothing (an empty hook is not run). -#}
{% macro session_settings() -%}
    {{ return(adapter.dispatch('session_settings', 'logistics_elt')()) }}
{%- endmacro %}

{% macro default__session_settings() -%}
{%- endmacro %}

{% macro postgres__session_settings() -%}
    set jit = off
{%- endmacro %}
