# A Batch AI recipe's runbook (recipes/TensorFlow/*/README.md shape), with `az batchai`,
# `az storage` and `az group` replaced by `batchai` and nothing else.
set -euo pipefail

batchai group create -n batchai.recipes -l eastus
batchai storage account create -n "$STORAGE_ACCOUNT" --sku Standard_LRS -g batchai.recipes
export AZURE_BATCHAI_STORAGE_KEY=$(batchai storage account keys list -n "$STORAGE_ACCOUNT" -g batchai.recipes --query "[0].value" -o tsv)

# Scripts on an Azure file share, data in a blob container, logs on another share.
batchai storage share create -n scripts --account-name "$STORAGE_ACCOUNT"
batchai storage share create -n logs --account-name "$STORAGE_ACCOUNT"
batchai storage directory create -n tensorflow_samples -s scripts --account-name "$STORAGE_ACCOUNT"
batchai storage file upload -s scripts --source train.py --path tensorflow_samples --account-name "$STORAGE_ACCOUNT"
batchai storage container create -n data --account-name "$STORAGE_ACCOUNT"
batchai storage blob upload-batch -d data -s ./mnist --destination-path mnist_dataset --account-name "$STORAGE_ACCOUNT"

batchai workspace create -g batchai.recipes -n recipe_workspace -l eastus
batchai cluster create -n nc6 -g batchai.recipes -w recipe_workspace -s Standard_NC6 -t 2 --generate-ssh-keys
batchai cluster create -n lowpri -g batchai.recipes -w recipe_workspace -f cluster.json --storage-account-name "$STORAGE_ACCOUNT" -o table
batchai cluster show -n nc6 -g batchai.recipes -w recipe_workspace -o table

batchai experiment create -g batchai.recipes -w recipe_workspace -n tensorflow_experiment
batchai job create -c nc6 -n distributed_tensorflow -g batchai.recipes -w recipe_workspace -e tensorflow_experiment -f job.json --storage-account-name "$STORAGE_ACCOUNT"
batchai job file stream -j distributed_tensorflow -g batchai.recipes -w recipe_workspace -e tensorflow_experiment -f stdout-wk-0.txt > streamed-wk-0.txt
batchai job wait -n distributed_tensorflow -g batchai.recipes -w recipe_workspace -e tensorflow_experiment
batchai job list -g batchai.recipes -w recipe_workspace -e tensorflow_experiment -o table > jobs.txt
batchai job file list -j distributed_tensorflow -w recipe_workspace -e tensorflow_experiment -g batchai.recipes -d stdouterr -o table > stdouterr.txt
batchai job file list -j distributed_tensorflow -w recipe_workspace -e tensorflow_experiment -g batchai.recipes -d MODEL --query "[].{name: name, size: contentLength}" -o tsv > model.tsv
# Download links, Batch AI's SAS URLs: valid after the command ends, until they expire (--expiry).
batchai job file list -j distributed_tensorflow -w recipe_workspace -e tensorflow_experiment -g batchai.recipes -d MODEL --query "[?name=='model.txt'].downloadUrl | [0]" -o tsv > model-url.txt
batchai job file list -j distributed_tensorflow -w recipe_workspace -e tensorflow_experiment -g batchai.recipes --expiry 5 > stdouterr.json

batchai cluster resize -n nc6 -g batchai.recipes -w recipe_workspace -t 0
batchai job delete -n distributed_tensorflow -g batchai.recipes -w recipe_workspace -e tensorflow_experiment -y
batchai experiment delete -n tensorflow_experiment -g batchai.recipes -w recipe_workspace -y
batchai cluster delete -n nc6 -g batchai.recipes -w recipe_workspace -y
batchai cluster delete -n lowpri -g batchai.recipes -w recipe_workspace -y --no-wait
batchai workspace delete -n recipe_workspace -g batchai.recipes -y
