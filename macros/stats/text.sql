{#- Text helpers for matching firms by name (firm_panel). Regular-expression dialects differ between engines
    (DuckDB: RE2, replaces only the first match unless told 'g'; Spark: Java regex, always replaces all, and
    its string literals consume one level of backslashes), so the replacement is dispatched. -#}

{% macro regexp_replace_all(expression, pattern, replacement='') -%}
  {{ return(adapter.dispatch('regexp_replace_all', 'cluster_finance')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement='') -%}
  regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement='') -%}
  regexp_replace({{ expression }}, '{{ pattern | replace("\\", "\\\\") }}', '{{ replacement }}')
{%- endmacro %}


{#- A firm name reduced to what identifies the firm: lower case, no legal-form suffix (Latin "co., ltd.",
    "inc." ... and Chinese 股份有限公司, 有限责任公司, 有限公司, 公司, 厂), no spaces or punctuation.
    Latin suffixes are stripped while word boundaries still exist (before punctuation is removed), so
    "Disco" keeps its "co"; each strip is applied twice for stacked suffixes ("co., ltd.", "厂有限公司").
    An empty result is NULL: a name that is only a legal form identifies nothing. -#}
{% macro normalise_firm_name(name) -%}
  {%- set latin_suffix = '[^\\p{L}\\p{N}]*\\b(co|ltd|inc|corp|company|limited|corporation|llc|plc)\\b[^\\p{L}\\p{N}]*$' -%}
  {%- set chinese_suffix = '(股份有限公司|有限责任公司|有限公司|公司|厂)$' -%}
  {%- set step1 = 'lower(trim(' ~ name ~ '))' -%}
  {%- set step2 = regexp_replace_all(regexp_replace_all(step1, latin_suffix), latin_suffix) -%}
  {%- set step3 = regexp_replace_all(step2, '[^\\p{L}\\p{N}]') -%}
  {%- set step4 = regexp_replace_all(regexp_replace_all(step3, chinese_suffix), chinese_suffix) -%}
  nullif({{ step4 }}, '')
{%- endmacro %}
