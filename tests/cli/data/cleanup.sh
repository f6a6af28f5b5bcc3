# The recipe runbook's clean-up (the README's last step): the group goes with its storage account.
set -euo pipefail

batchai group delete -n batchai.recipes -y
