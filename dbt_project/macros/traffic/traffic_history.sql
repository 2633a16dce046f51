{#- Manual edits, field by field: the current (not deleted) version of each key from the versions of
    a traffic snapshot, where each editable field takes the dispatcher's latest edit unless the source
    really changed that field after the edit. A field's source change is a change of its value
    between two versions of the row: the first sight of a row is not a change (dispatchers edit rows
    that exist, often before this project first saw them). So an edit applies from its `edited_at`
    until a later real change of that field at the source; a later edit replaces it. Because edits
    are read from their raw table and times from the snapshot, a re-sync or a full refresh re-applies
    them.
    `versions`: the snapshot (relation or CTE name); `manual_edits`: valid rows of `int_traffic__manual_edits_validated`
    (relation or CTE name); `table_name`: the mart, which picks its columns and editable fields
    (`traffic_mart_columns`, `traffic_editable_fields`). A query (its own `with`), one row per key:
    the mart's columns, `<column>_edit_id` per editable field (the edit applied, null when none),
    `fecha_registro` (first version of the key) and `fecha_modificacion` (latest source change or
    applied edit). -#}
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
            -- the last real source change of the field (null: never changed since first seen)
            max(case
                when version_number > 1 and prev_{{ column }} is distinct from {{ column }} then dbt_valid_from
            end) as {{ column }}_changed_at{{ "," if not loop.last }}
            {%- endfor %}

        from all_versions
        group by business_key

    ),

    ranked_edits as (

        select
            edit_id,
            match_key,
            field,
            edit_value,
            edited_at_utc,
            {{ traffic_edit_rank() }} as edit_rank

        from {{ manual_edits }}
        where table_name = '{{ table_name }}' and edited_at_utc is not null

    ),

    latest_edits as (

        select * from ranked_edits
        where edit_rank = 1

    ),

    current_rows as (

        select * from all_versions
        where dbt_valid_to is null

    ),

    applicable as (

        select
            current_rows.*,
            history.first_seen_at,
            {%- for field, column in fields.items() %}
            case
                when
                    history.{{ column }}_changed_at is null
                    or edit_{{ column }}.edited_at_utc > history.{{ column }}_changed_at
                    then edit_{{ column }}.edit_id
            end as {{ column }}_edit_id,
            edit_{{ column }}.edit_value as {{ column }}_edit_value,
            edit_{{ column }}.edited_at_utc as {{ column }}_edited_at{{ "," if not loop.last }}
            {%- endfor %}

        from current_rows
        inner join history on current_rows.business_key = history.business_key
        {%- for field, column in fields.items() %}
        left join latest_edits as edit_{{ column }}
            on
                current_rows.business_key = edit_{{ column }}.match_key
                and edit_{{ column }}.field = '{{ field }}'
        {%- endfor %}

    ),

    resolved as (

        select
            business_key,
            {%- for column in columns %}
            {%- if column in fields.values() %}
            case
                when {{ column }}_edit_id is not null then {{ column }}_edit_value
                else {{ column }}
            end as {{ column }},
            {%- else %}
            {{ column }},
            {%- endif %}
            {%- endfor %}
            {%- for field, column in fields.items() %}
            {{ column }}_edit_id,
            {%- endfor %}
            first_seen_at as fecha_registro,
            greatest(
                dbt_valid_from,
                {%- for field, column in fields.items() %}
                case
                    when {{ column }}_edit_id is not null then {{ column }}_edited_at
                    else dbt_valid_from
                end{{ "," if not loop.last }}
                {%- endfor %}
            ) as fecha_modificacion

        from applicable

    )

    select * from resolved
{%- endmacro %}

{#- The order of a dispatcher's edits of one field of one row: 1 = the latest (by `edited_at`, then
    by edit id), the one that counts. -#}
{% macro traffic_edit_rank() -%}
    row_number() over (
        partition by table_name, match_key, field order by edited_at_utc desc nulls last, edit_id desc
    )
{%- endmacro %}

{#- The edit ids the resolved marts applied, one per row (`edit_id`): `marts` maps each mart to the
    relation or CTE of its resolved model (with the `<column>_edit_id` columns of
    `traffic_apply_manual_edits`). A query. -#}
{% macro traffic_applied_edit_ids(marts) -%}
    {%- set parts = [] -%}
    {%- for mart, relation in marts.items() -%}
        {%- for field, column in traffic_editable_fields(mart).items() -%}
            {%- do parts.append("select " ~ column ~ "_edit_id as edit_id from " ~ relation
                ~ " where " ~ column ~ "_edit_id is not null") -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ parts | join("\n    union all\n    ") }}
{%- endmacro %}

{#- The current keys of the resolved marts: (`table_name`, `business_key`). A query. -#}
{% macro traffic_current_keys(marts) -%}
    {%- set parts = [] -%}
    {%- for mart, relation in marts.items() -%}
        {%- do parts.append("select '" ~ mart ~ "' as table_name, business_key from " ~ relation) -%}
    {%- endfor -%}
    {{ parts | join("\n    union all\n    ") }}
{%- endmacro %}

{#- True when an edit (`table_name`, `field` columns of `edits`) is for a field its mart takes no
    edits for, or for no traffic mart at all. -#}
{% macro traffic_edit_not_editable(edits, marts) -%}
    case
        {%- for mart in marts %}
        when {{ edits }}.table_name = '{{ mart }}' then {{ edits }}.field not in (
            {%- for field in traffic_editable_fields(mart) %}'{{ field }}'{{ ", " if not loop.last }}{% endfor -%}
        )
        {%- endfor %}
        else true
    end
{%- endmacro %}

{#- Sync-log events of one traffic snapshot: each version is one event at its `dbt_valid_from`:
    INSERT (first version of a key, or first after a deletion), UPDATE (a later version) or DELETE
    (the deletion record). `details` is a JSON object of the columns that changed, each
    `{"old": ..., "new": ...}` (INSERT: every non-null column with old null; DELETE: every non-null
    column with new null). `versions`: the snapshot (relation or CTE name); `table_name`: the mart;
    `source_table`: its raw table; `log`: on an incremental run the sync log itself (`this`), else none.
    Incremental: snapshot versions are only ever appended, each run's at one later instant, so only
    the events from the last instant `log` holds for `table_name` on are computed (that instant's
    again, for equal timestamps: the model drops those already logged), reading only the versions
    from that instant on and the one each of them follows (the version closed from then on, which
    the lag() needs): the same events as from all versions, without rescanning history. A query
    (its own `with`). -#}
{% macro traffic_sync_events(versions, table_name, source_table, log=none) -%}
    {%- set labels = traffic_mart_columns(table_name) -%}
    {%- set columns = labels | map(attribute=0) | list -%}
    {%- set window = "over (partition by business_key order by dbt_valid_from)" -%}
    with

    {%- if log is not none %}

    logged as (

        -- the last instant already logged for this table (null: none yet, read every version)
        select max(sync_timestamp) as logged_until
        from {{ log }}
        where table_name = '{{ table_name }}'

    ),

    read_versions as (

        select {{ versions }}.*
        from {{ versions }}
        cross join logged
        where
            logged.logged_until is null
            or cast({{ versions }}.dbt_valid_from as timestamp) >= logged.logged_until
            or cast({{ versions }}.dbt_valid_to as timestamp) >= logged.logged_until

    ),
    {%- endif %}

    all_versions as (

        select
            *,
            coalesce(cast(dbt_is_deleted as {{ dbt.type_string() }}), 'False') = 'True' as is_deleted,
            coalesce(cast(lag(dbt_is_deleted) {{ window }} as {{ dbt.type_string() }}), 'True') = 'True'
                as follows_nothing,
            {%- for column in columns %}
            lag({{ column }}) {{ window }} as prev_{{ column }}{{ "," if not loop.last }}
            {%- endfor %}

        from {{ 'read_versions' if log is not none else versions }}

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
        {%- if log is not none %}
            cross join logged
            -- not the events of the versions read only as the ones followed (logged already)
            where logged.logged_until is null or cast(changes.dbt_valid_from as timestamp) >= logged.logged_until
        {%- endif %}

    )

    select * from events
{%- endmacro %}
