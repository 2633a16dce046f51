with

landed as (

    select * from {{ source_or_empty(source('traffic', 'traficov2_manual_edits'), [
        ('id', 'bigint'), ('table_name', dbt.type_string()), ('business_key', dbt.type_string()),
        ('field', dbt.type_string()), ('value', dbt.type_string()), ('edited_at', type_timestamp_tz()),
        ('edited_by', dbt.type_string()), ('_dlt_load_id', dbt.type_string())]) }}

),

source as (

    -- one row per key (the lake of ELT_TARGET=spark is append-only)
    select * from {{ latest_version('landed', ['id']) }}

),

cleaned as (

    select
        business_key,
        value as edit_value,
        edited_at,
        edited_by,
        _dlt_load_id,
        cast(id as bigint) as edit_id,
        trim(table_name) as table_name,
        trim(field) as field

    from source

),

final as (

    select
        edit_id,
        table_name,
        business_key,
        field,
        edited_at,
        edited_by,
        -- the key the traffic models match on: container key (hyphens and spaces removed) for
        -- arribos/pendiente, `<container key>|<OPERACION>` for remisiones, the Booking for expo
        case
            when table_name = 'traficov2_remisiones'
                then
                    {{ traffic_container_key(dbt.split_part('business_key', "'|'", 1)) }}
                    || '|' || upper(trim({{ dbt.split_part('business_key', "'|'", 2) }}))
            when table_name = 'traficov2_arribos_ctns_expo'
                then {{ traffic_upper_clean('business_key') }}
            else {{ traffic_container_key('business_key') }}
        end as match_key,
        {{ traffic_clean('edit_value') }} as edit_value,
        {{ to_utc_timestamp('edited_at') }} as edited_at_utc,
        {{ dlt_load_timestamp('_dlt_load_id') }} as loaded_at

    from cleaned

)

select * from final
