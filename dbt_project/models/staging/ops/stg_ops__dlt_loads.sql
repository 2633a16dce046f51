{%- set loads = dlt_loads_relations() -%}

with

loads as (

    {% if loads -%}
        {% for relation in loads %}
            select
                '{{ relation.schema }}' as raw_schema,
                load_id,
                status,
                inserted_at
            from {{ relation }}
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
    {%- else -%}
        -- no raw schema loaded yet
        select
            cast(null as {{ dbt.type_string() }}) as raw_schema,
            cast(null as {{ dbt.type_string() }}) as load_id,
            cast(null as {{ dbt.type_bigint() }}) as status,
            cast(null as {{ type_timestamp_tz() }}) as inserted_at
        where 1 = 0
    {%- endif %}

),

final as (

    select
        {{ dbt.concat(['raw_schema', "'|'", 'load_id']) }} as load_key,
        raw_schema,
        {{ dbt.replace('raw_schema', "'raw_'", "''") }} as source_name,
        load_id,
        status as load_status,
        inserted_at as loaded_at
    from loads

)

select * from final
