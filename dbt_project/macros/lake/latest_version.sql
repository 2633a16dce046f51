{#- The rows of a raw table, one per key: the latest version by `_dlt_load_id`. On DuckDB and
    PostgreSQL dlt merges on the key, so the table already holds one row per key and is returned as
    it is. On Spark the lake is plain parquet, which dlt can only append to: every load adds the new
    versions of the rows it read, and this keeps, per key, the row of the newest load (ties, within
    one load, are not expected: dlt deduplicates a merge load on its key). `relation`: a source();
    `keys`: the columns dlt merges on. A relation or a subquery, for `select * from ...`. -#}
{% macro latest_version(relation, keys) -%}
    {{ return(adapter.dispatch('latest_version', 'logistics_elt')(relation, keys)) }}
{%- endmacro %}

{% macro default__latest_version(relation, keys) -%}
    {{ relation }}
{%- endmacro %}

{% macro spark__latest_version(relation, keys) -%}
    (
        select versions.*
        from {{ relation }} as versions
        inner join (
            select
                {{ keys | join(', ') }},
                max(_dlt_load_id) as _latest_load_id
            from {{ relation }}
            group by {{ keys | join(', ') }}
        ) as latest
            on
                {%- for key in keys %}
                versions.{{ key }} <=> latest.{{ key }} and
                {%- endfor %}
                versions._dlt_load_id = latest._latest_load_id
    ) as latest_version
{%- endmacro %}
