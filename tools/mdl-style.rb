# markdownlint (mdl) rules for spillway's docs: all of them, except the
# line length (reference tables and commands are long lines by nature).
all
exclude_rule 'MD013'
rule 'MD029', :style => :ordered
