{#- Manual edits, field by field: the current (not deleted) version of each key from the versions of
    a traffic snapshot, where each editable field takes the dispatcher's latest edit when that edit
    is later than the last change of the field in the source (the later timestamp wins; a later
    source change overrides an older edit). Because edits are read from their raw table and times
    from the snapshot, a re-sync or a full refresh re-applies them.
    `versions`: the snapshot (relation or CTE name); `manual_edits`: `stg_traffic__manual_edits`
    (relation or CTE name); `table_name`: the mart, which picks its columns and editable fields
    (`traffic_mart_columns`, `traffic_editable_fields`). A query (its own `with`), one row per key:
    the mart's columns, `fecha_registro` (first version of the key) and `fecha_modificacion`
    (latest source change or applied edit). -#}
{% macro traffic_apply_manual_edits(versions, manual_edits, table_name) -%}
    {%- set columns = traffic_mart_columns(table_name) | map(attribute=0) | list -%}
    {%- set fields = traffic_editable_fields(table_name) -%}
    with

    all_versions as (

        select
            *,
            {%- for field, column in fields.items() %}
            lag({{ column }}) over (partition by business_key order by dbt_valid_from) as prev_{{ column }},
            {%- endfor %}
            row_number() over (partition by business_key order by dbt_valid_from) as version_number

        from {{ versions }}
        where coalesce(cast(dbt_is_deleted as {{ dbt.type_string() }}), 'False') <> 'True'

    ),

    history as (

        select
            business_key,
            min(dbt_valid_from) as first_seen_at,
            {%- for field, column in fields.items() %}
            max(case
                when version_number = 1 or prev_{{ column }} is distinct from {{ column }} then dbt_valid_from
            end) as {{ column }}_changed_at{{ "," if not loop.last }}
            {%- endfor %}

        from all_versions
        group by business_key

    ),

    ranked_edits as (

        select
            match_key,
            field,
            edit_value,
            edited_at_utc,
            row_number() over (
                partition by match_key, field order by edited_at_utc desc, edit_id desc
            ) as edit_rank

        from {{ manual_edits }}
        where table_name = '{{ table_name }}'

    ),

    latest_edits as (

        select * from ranked_edits
        where edit_rank = 1

    ),

    current_rows as (

        select * from all_versions
        where dbt_valid_to is null

    ),

    resolved as (

        select
            current_rows.business_key,
            {%- for column in columns %}
            {%- if column in fields.values() %}
            case
                when edit_{{ column }}.edited_at_utc > history.{{ column }}_changed_at then edit_{{ column }}.edit_value
                else current_rows.{{ column }}
            end as {{ column }},
            {%- else %}
            current_rows.{{ column }},
            {%- endif %}
            {%- endfor %}
            history.first_seen_at as fecha_registro,
            greatest(
                current_rows.dbt_valid_from,
                {%- for field, column in fields.items() %}
                case
                    when edit_{{ column }}.edited_at_utc > history.{{ column }}_changed_at then edit_{{ column }}.edited_at_utc
                    else current_rows.dbt_valid_from
                end{{ "," if not loop.last }}
                {%- endfor %}
            ) as fecha_modificacion

        from current_rows
        inner join history on current_rows.business_key = history.business_key
        {%- for field, column in fields.items() %}
        left join latest_edits as edit_{{ column }}
            on
                current_rows.business_key = edit_{{ column }}.match_key
                and edit_{{ column }}.field = '{{ field }}'
        {%- endfor %}

    )

    select * from resolved
{%- endmacro %}

{#- Sync-log events of one traffic snapshot: each version is one event at its `dbt_valid_from`:
    INSERT (first version of a key, or first after a deletion), UPDATE (a later version) or DELETE
    (the deletion record). `details` is a JSON object of the columns that changed, each
    `{"old": ..., "new": ...}` (INSERT: every non-null column with old null; DELETE: every non-null
    column with new null). `versions`: the snapshot (relation or CTE name); `table_name`: the mart;
    `source_table`: its raw table. A query (its own `with`). -#}
{% macro traffic_sync_events(versions, table_name, source_table) -%}
    {%- set labels = traffic_mart_columns(table_name) -%}
    {%- set columns = labels | map(attribute=0) | list -%}
    {%- set window = "over (partition by business_key order by dbt_valid_from)" -%}
    with

    all_versions as (

        select
            *,
            coalesce(cast(dbt_is_deleted as {{ dbt.type_string() }}), 'False') = 'True' as is_deleted,
            coalesce(cast(lag(dbt_is_deleted) {{ window }} as {{ dbt.type_string() }}), 'True') = 'True'
                as follows_nothing,
            {%- for column in columns %}
            lag({{ column }}) {{ window }} as prev_{{ column }}{{ "," if not loop.last }}
            {%- endfor %}

        from {{ versions }}

    ),

    typed as (

        select
            *,
            case
                when is_deleted then 'DELETE'
                when follows_nothing then 'INSERT'
                else 'UPDATE'
            end as operation

        from all_versions

    ),

    changes as (

        select
            '{{ table_name }}:' || dbt_scd_id as event_id,
            operation,
            source_id,
            business_key,
            dbt_valid_from,
            {%- for column in columns %}
            case when operation = 'INSERT' then null else prev_{{ column }} end as old_{{ column }},
            case when operation = 'DELETE' then null else {{ column }} end as new_{{ column }}{{ "," if not loop.last }}
            {%- endfor %}

        from typed

    ),

    events as (

        select
            event_id,
            '{{ table_name }}' as table_name,
            operation,
            '{{ source_table }}' as source_table,
            cast(source_id as bigint) as source_id,
            business_key as target_id,
            cast(dbt_valid_from as timestamp) as sync_timestamp,
            '{' || concat_ws(', ',
                {%- for column, label in labels %}
                case when old_{{ column }} is distinct from new_{{ column }} then
                    '"{{ label }}": {"old": ' || {{ json_literal('old_' ~ column) }}
                    || ', "new": ' || {{ json_literal('new_' ~ column) }} || '}'
                end{{ "," if not loop.last }}
                {%- endfor %}
            ) || '}' as details_text

        from changes

    )

    select * from events
{%- endmacro %}
