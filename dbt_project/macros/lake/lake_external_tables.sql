{#- ELT_TARGET=spark: the raw tables are folders of parquet files in the lake that dlt writes
    (`<ELT_LAKE_URL>/raw_<source>/<table>/`). Before every build (on-run-start) each folder listed in
    var `lake_tables` (`raw_<source>/<table>`, filled by `extract.warehouse.lake_tables`) is declared again
    as an external table of the catalog: drop and create, which touches no file, so new files and
    new columns (parquet schemas merged) are seen by the build. dlt's `_dlt_loads` is JSON lines.
    Other engines: nothing to do, dlt loads into the warehouse itself. -#}
{% macro lake_external_tables() -%}
    {{ return(adapter.dispatch('lake_external_tables', 'logistics_elt')()) }}
{%- endmacro %}

{% macro default__lake_external_tables() -%}
    select 1
{%- endmacro %}

{% macro spark__lake_external_tables() -%}
    {%- set lake = env_var('ELT_LAKE_URL', 'warehouse/lake/raw') -%}
    {%- set schemas = [] -%}
    {%- for folder in var('lake_tables', []) -%}
        {%- set schema, table = folder.split('/') -%}
        {%- if schema not in schemas -%}
            {%- do run_query('create schema if not exists ' ~ schema) -%}
            {%- do schemas.append(schema) -%}
        {%- endif -%}
        {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ table) -%}
        {%- if table == '_dlt_loads' -%}
            {%- do run_query(
                'create table ' ~ schema ~ '._dlt_loads (load_id string, schema_name string, status bigint,'
                ~ ' inserted_at timestamp, schema_version_hash string) using json'
                ~ " location '" ~ lake ~ '/' ~ folder ~ "'"
            ) -%}
        {%- else -%}
            {%- do run_query(
                'create table ' ~ schema ~ '.' ~ table ~ " using parquet options (mergeSchema 'true')"
                ~ " location '" ~ lake ~ '/' ~ folder ~ "'"
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    select 1
{%- endmacro %}
