{#- "Recompute only the partitions touched by new loads", the one incremental design of the project.

    dlt stamps every landed row with `_dlt_load_id` and, with `skip_unchanged_rows`, leaves
    unchanged rows with their old load id. A partitioned incremental model (`unique_key` = its
    partition columns, `delete+insert`) keeps the newest load id it has processed, in the column
    `processed_load_id` of its own table (`_max_load_id` from `touched_partitions_audit_columns`,
    or the rows' own `_dlt_load_id`). On an incremental run a partition is recomputed whole when
    one of its rows carries a newer load id; `delete+insert` then replaces just those partitions. -#}

{#- The touched partitions: the distinct `partition_by` values (columns or expressions) of the rows
    of `rows` (a relation or CTE with `_dlt_load_id`) loaded after the newest load `this` has
    processed. A query: a subquery of `where_touched`, or the input of run_query. -#}
{% macro touched_partitions(rows, partition_by, processed_load_id='_max_load_id') -%}
    select distinct {{ partition_by | join(', ') }}
    from {{ rows }} as touched
    where touched._dlt_load_id > (
        select coalesce(max(done.{{ processed_load_id }}), '') from {{ this }} as done
    )
{%- endmacro %}

{#- The filter form: on an incremental run `where <partition_by> in (touched partitions of rows)`,
    keeping the rows of touched partitions only; nothing on a full build. `partition_by` are columns
    of `rows` and of the relation being filtered: the same rows, as the CTE being filtered when it
    is small, or as the model it imports (a CTE referenced twice is materialised whole by
    PostgreSQL). -#}
{% macro where_touched(rows, partition_by, processed_load_id='_max_load_id') -%}
    {%- if is_incremental() %}
    {%- set key = partition_by[0] if partition_by | length == 1 else '(' ~ partition_by | join(', ') ~ ')' %}
    where {{ key }} in (
        {{ touched_partitions(rows, partition_by, processed_load_id) | indent(8) }}
    )
    {%- endif %}
{%- endmacro %}

{#- What a partition keeps for the design: the newest load id of its rows (`_max_load_id`, from
    `load_id`: `_dlt_load_id` over raw rows, `_max_load_id` over partial aggregates) and when it
    was computed. -#}
{% macro touched_partitions_audit_columns(load_id='_dlt_load_id') -%}
    max({{ load_id }}) as _max_load_id,
    {{ dbt.cast(dbt.string_literal(run_started_at.isoformat()), api.Column.translate_type('timestamp')) }} as _computed_at
{%- endmacro %}

{#- How a partitioned incremental model replaces its touched partitions: `delete+insert` on its
    `unique_key` (DuckDB, PostgreSQL); on Spark's plain parquet (no delete, no merge)
    `insert_overwrite` of table partitions, which must then be `partition_columns`. For config(). -#}
{% macro partition_strategy() -%}
    {{ return(adapter.dispatch('partition_strategy', 'logistics_elt')()) }}
{%- endmacro %}

{% macro default__partition_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__partition_strategy() -%}
    {{ return('insert_overwrite') }}
{%- endmacro %}

{#- The table partitions of such a model: none where `delete+insert` finds rows by key, the given
    columns on Spark (date first, so a day's files sit in one folder). For config(). -#}
{% macro partition_columns(columns) -%}
    {{ return(adapter.dispatch('partition_columns', 'logistics_elt')(columns)) }}
{%- endmacro %}

{% macro default__partition_columns(columns) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__partition_columns(columns) -%}
    {{ return(columns) }}
{%- endmacro %}

{#- The grain an incremental run recomputes: `keys` where `delete+insert` replaces rows by key
    (DuckDB, PostgreSQL); on Spark the table partition `partition`, which `insert_overwrite` rewrites
    whole, so every key of a touched partition is recomputed (a partition per plate-day would make
    thousands of small folders and metastore partitions). For `where_touched`. -#}
{% macro rewrite_grain(keys, partition) -%}
    {{ return(adapter.dispatch('rewrite_grain', 'logistics_elt')(keys, partition)) }}
{%- endmacro %}

{% macro default__rewrite_grain(keys, partition) -%}
    {{ return(keys) }}
{%- endmacro %}

{% macro spark__rewrite_grain(keys, partition) -%}
    {{ return(partition) }}
{%- endmacro %}
