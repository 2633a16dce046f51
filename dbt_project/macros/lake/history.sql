{#- ELT_TARGET=spark: what replaces the dbt snapshots (check strategy) on plain parquet, where
    dbt-spark snapshots need Delta, Iceberg or Hudi. Two models per snapshot, in models/history/
    (enabled on Spark only, the snapshots on every other target; dbt_project.yml chooses):
    - `hist_<name>`: an `append` incremental table of versions, written as dbt's snapshot writes them
      (`history_new_versions`): a key's first version, a version when a checked column changed, and on
      a key gone from the source a deletion record (`dbt_is_deleted = 'True'`, the last values), each
      with the same `dbt_scd_id`, `dbt_updated_at` and `dbt_valid_from` as a snapshot (the run's
      `snapshot_get_time()`). Nothing is ever updated in place.
    - `snap_<name>`: a view with the snapshot's name and columns (`history_versions`), where
      `dbt_valid_to` is the next version's `dbt_valid_from`; so the consumers of the snapshot read it
      unchanged. -#}

{#- The versions this run adds to the history `this`: `relation` is the snapshotted model,
    `unique_key` a column or a list of columns, `check_cols` the columns compared. A query. -#}
{% macro history_new_versions(relation, unique_key, check_cols) -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list if execute else keys -%}
    {%- set now = snapshot_get_time() -%}
    {%- set source_keys = [] -%}
    {%- for key in keys -%}
        {%- do source_keys.append('source_rows.' ~ key) -%}
    {%- endfor -%}
    with

    source_rows as (

        select * from {{ relation }}

    ),

    {% if is_incremental() -%}
        ranked_versions as (

            select
                *,
                row_number() over (partition by {{ keys | join(', ') }} order by dbt_valid_from desc) as version_rank

            from {{ this }}

        ),

        current_versions as (

            -- the latest version of each key, unless it is a deletion record
            select * from ranked_versions
            where version_rank = 1 and dbt_is_deleted = 'False'

        ),
    {%- else -%}
        current_versions as (

            select
                *,
                cast(null as {{ dbt.type_string() }}) as dbt_scd_id

            from source_rows
            where 1 = 0

        ),
    {%- endif %}

    new_versions as (

        -- a key not current (never seen, or deleted), or one whose checked columns changed
        select
            {{ history_columns(columns, 'source_rows.') }}
            {{ snapshot_hash_arguments(source_keys + [now]) }}
                as dbt_scd_id,
            'False' as dbt_is_deleted

        from source_rows
        left join current_versions
            on {{ history_same_keys('source_rows', 'current_versions', keys) }}
        where
            current_versions.{{ keys[0] }} is null
            {%- for column in check_cols %}
            or source_rows.{{ column }} is distinct from current_versions.{{ column }}
            {%- endfor %}

    ),

    deletion_records as (

        -- a current key gone from the source: a version with its last values, marked deleted
        select
            {{ history_columns(columns, 'current_versions.') }}
            {{ snapshot_hash_arguments(['current_versions.dbt_scd_id', now]) }} as dbt_scd_id,
            'True' as dbt_is_deleted

        from current_versions
        left join source_rows
            on {{ history_same_keys('current_versions', 'source_rows', keys) }}
        where source_rows.{{ keys[0] }} is null

    ),

    changes as (

        select * from new_versions
        union all
        select * from deletion_records

    ),

    final as (

        select
            {{ history_columns(columns) }}
            dbt_scd_id,
            {{ now }} as dbt_updated_at,
            {{ now }} as dbt_valid_from,
            dbt_is_deleted

        from changes

    )

    select * from final
{%- endmacro %}

{#- The snapshot's rows from a history of `history_new_versions`: every version with `dbt_valid_to`
    (the next version's `dbt_valid_from`; null for the current one). `hard_deletes`: `new_record`
    keeps the deletion records and `dbt_is_deleted`; `invalidate` only closes the last version of a
    deleted key, as a snapshot does. A query. -#}
{% macro history_versions(history, unique_key, hard_deletes) -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set bookkeeping = ['dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_is_deleted'] -%}
    {%- set columns = adapter.get_columns_in_relation(history) | map(attribute='name')
        | reject('in', bookkeeping) | list if execute else keys -%}
    with

    stored as (

        select * from {{ history }}

    ),

    versions as (

        select
            *,
            lead(dbt_valid_from) over (partition by {{ keys | join(', ') }} order by dbt_valid_from) as dbt_valid_to

        from stored

    ),

    final as (

        select
            {{ history_columns(columns) }}
            dbt_scd_id,
            dbt_updated_at,
            dbt_valid_from,
            dbt_valid_to
            {%- if hard_deletes == 'new_record' %},
                dbt_is_deleted
            {%- endif %}

        from versions
        {%- if hard_deletes != 'new_record' %}
            where dbt_is_deleted = 'False'
        {%- endif %}

    )

    select * from final
{%- endmacro %}

{#- `left.k = right.k and ...` over the key columns. -#}
{% macro history_same_keys(left, right, keys) -%}
    {%- for key in keys -%}
        {{ left }}.{{ key }} = {{ right }}.{{ key }}{{ " and " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- The columns, each `prefix` + name and a trailing comma, one per line. -#}
{% macro history_columns(columns, prefix='') -%}
    {%- for column in columns -%}
        {{ prefix }}{{ column }},{{ "\n            " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
