"""The Batch AI walk-through of Microsoft's "Migrating from Batch AI to Azure Machine Learning".

The guide's "Batch AI" code blocks, in order, as one script (with the glue its recipe notebook,
TensorFlow-GPU-Distributed, had around them): workspace, a 2-node cluster and its status, a blob
container and a file share, the MNIST dataset and mnist_replica.py uploaded, an experiment, a
distributed TensorFlow job (1 parameter server + 2 workers), waiting while streaming
stdout-wk-0.txt, the job's output files, then the cluster scaled down and deleted.

Two copies exist, equal but for one line:
* examples/batchai_original/migration_walkthrough.py, the Batch AI original (2019: Azure Batch AI,
  azure-mgmt-batchai 2.0.0, azure-storage 0.36);
* examples/migration_walkthrough.py, which adds ``import batchai_compat.install`` and so runs
  the same code on batchai_compat (the local backend by default; BATCHAI_COMPAT_BACKEND=azureml
  for Azure Machine Learning).
"""
from __future__ import print_function

from datetime import datetime
import os
import sys

import batchai_compat.install  # the one line that changes: Batch AI calls run on batchai_compat
from azure.storage.blob import BlockBlobService
from azure.storage.file import FileService
import azure.mgmt.batchai.models as models

# The recipes kept utilities/ and configuration.json above the notebook's folder, and ran with
# the notebook's folder (here: tensorflow_samples/, which holds mnist_replica.py) as the
# working directory.
RECIPES_ROOT = os.path.dirname(os.path.abspath(__file__))
if not os.path.isdir(os.path.join(RECIPES_ROOT, 'utilities')):
    RECIPES_ROOT = os.path.dirname(RECIPES_ROOT)
os.chdir(os.path.join(RECIPES_ROOT, 'tensorflow_samples'))
sys.path.append(RECIPES_ROOT)
import utilities as utils

# Create workspaces
cfg = utils.config.Configuration('../configuration.json')
client = utils.config.create_batchai_client(cfg)

utils.config.create_resource_group(cfg)
_ = client.workspaces.create(cfg.resource_group, cfg.workspace, cfg.location).result()

# Create compute clusters
nodes_count = 2
cluster_name = 'nc6'

parameters = models.ClusterCreateParameters(
    vm_size='STANDARD_NC6',
    scale_settings=models.ScaleSettings(
        manual=models.ManualScaleSettings(target_node_count=nodes_count)
    ),
    user_account_settings=models.UserAccountSettings(
        admin_user_name=cfg.admin,
        admin_user_password=cfg.admin_password or None,
        admin_user_ssh_public_key=cfg.admin_ssh_key or None,
    )
)
_ = client.clusters.create(cfg.resource_group, cfg.workspace, cluster_name, parameters).result()

# Monitor status of your cluster
cluster = client.clusters.get(cfg.resource_group, cfg.workspace, cluster_name)
utils.cluster.print_cluster_status(cluster)

# Get reference to a storage account
azure_blob_container_name = 'batchaisample'
blob_service = BlockBlobService(cfg.storage_account_name, cfg.storage_account_key)
blob_service.create_container(azure_blob_container_name, fail_on_exist=False)

azure_file_share_name = 'batchaisample'
file_service = FileService(cfg.storage_account_name, cfg.storage_account_key)
file_service.create_share(azure_file_share_name, fail_on_exist=False)

# Download and upload data
mnist_dataset_directory = 'mnist_dataset'
utils.dataset.download_and_upload_mnist_dataset_to_blob(
    blob_service, azure_blob_container_name, mnist_dataset_directory)

script_directory = 'tensorflow_samples'
script_to_deploy = 'mnist_replica.py'

blob_service.create_blob_from_path(azure_blob_container_name,
                                   script_directory + '/' + script_to_deploy,
                                   script_to_deploy)

# Create experiments
experiment_name = 'tensorflow_experiment'
experiment = client.experiments.create(cfg.resource_group, cfg.workspace, experiment_name).result()

# Submit jobs
azure_file_share = 'afs'
azure_blob = 'bfs'
args_fmt = '--job_name={0} --num_gpus=1 --train_steps 10000 --checkpoint_dir=$AZ_BATCHAI_OUTPUT_MODEL --log_dir=$AZ_BATCHAI_OUTPUT_TENSORBOARD --data_dir=$AZ_BATCHAI_INPUT_DATASET --ps_hosts=$AZ_BATCHAI_PS_HOSTS --worker_hosts=$AZ_BATCHAI_WORKER_HOSTS --task_index=$AZ_BATCHAI_TASK_INDEX'

parameters = models.JobCreateParameters(
     cluster=models.ResourceId(id=cluster.id),
     node_count=2,
     input_directories=[
        models.InputDirectory(
            id='SCRIPT',
            path='$AZ_BATCHAI_JOB_MOUNT_ROOT/{0}/{1}'.format(azure_blob, script_directory)),
        models.InputDirectory(
            id='DATASET',
            path='$AZ_BATCHAI_JOB_MOUNT_ROOT/{0}/{1}'.format(azure_blob, mnist_dataset_directory))],
     std_out_err_path_prefix='$AZ_BATCHAI_JOB_MOUNT_ROOT/{0}'.format(azure_file_share),
     output_directories=[
        models.OutputDirectory(
            id='MODEL',
            path_prefix='$AZ_BATCHAI_JOB_MOUNT_ROOT/{0}'.format(azure_file_share),
            path_suffix='Models'),
        models.OutputDirectory(
            id='TENSORBOARD',
            path_prefix='$AZ_BATCHAI_JOB_MOUNT_ROOT/{0}'.format(azure_file_share),
            path_suffix='Logs')
     ],
     mount_volumes=models.MountVolumes(
            azure_file_shares=[
                models.AzureFileShareReference(
                    account_name=cfg.storage_account_name,
                    credentials=models.AzureStorageCredentialsInfo(
                        account_key=cfg.storage_account_key),
                    azure_file_url='https://{0}.file.core.windows.net/{1}'.format(
                        cfg.storage_account_name, azure_file_share_name),
                    relative_mount_path=azure_file_share)
            ],
            azure_blob_file_systems=[
                models.AzureBlobFileSystemReference(
                    account_name=cfg.storage_account_name,
                    credentials=models.AzureStorageCredentialsInfo(
                        account_key=cfg.storage_account_key),
                    container_name=azure_blob_container_name,
                    relative_mount_path=azure_blob)
            ]
        ),
     container_settings=models.ContainerSettings(
         image_source_registry=models.ImageSourceRegistry(image='tensorflow/tensorflow:1.8.0-gpu')),
     tensor_flow_settings=models.TensorFlowSettings(
         parameter_server_count=1,
         worker_count=nodes_count,
         python_script_file_path='$AZ_BATCHAI_INPUT_SCRIPT/'+ script_to_deploy,
         master_command_line_args=args_fmt.format('worker'),
         worker_command_line_args=args_fmt.format('worker'),
         parameter_server_command_line_args=args_fmt.format('ps'),
     )
)

job_name = datetime.utcnow().strftime('tf_%m_%d_%Y_%H%M%S')
job = client.jobs.create(cfg.resource_group, cfg.workspace, experiment_name, job_name, parameters).result()
print('Created Job {0} in Experiment {1}'.format(job.name, experiment.name))

# Monitor runs
utils.job.wait_for_job_completion(client, cfg.resource_group, cfg.workspace,
                                  experiment_name, job_name, cluster_name, 'stdouterr', 'stdout-wk-0.txt')

files = client.jobs.list_output_files(cfg.resource_group, cfg.workspace, experiment_name, job_name,
                                      models.JobsListOutputFilesOptions(outputdirectoryid='stdouterr'))
for f in list(files):
    print(f.name, f.download_url or 'directory')

print('Output directory MODEL:')
files = client.jobs.list_output_files(cfg.resource_group, cfg.workspace, experiment_name, job_name,
                                      models.JobsListOutputFilesOptions(outputdirectoryid='MODEL'))
for f in list(files):
    print(f.name, f.download_url or 'directory')

# Edit clusters
_ = client.clusters.update(cfg.resource_group, cfg.workspace, cluster_name,
                           scale_settings=models.ScaleSettings(
                               manual=models.ManualScaleSettings(target_node_count=0)))
cluster = client.clusters.get(cfg.resource_group, cfg.workspace, cluster_name)
utils.cluster.print_cluster_status(cluster)

_ = client.clusters.delete(cfg.resource_group, cfg.workspace, cluster_name)

job = client.jobs.get(cfg.resource_group, cfg.workspace, experiment_name, job_name)
if job.execution_state != models.ExecutionState.succeeded:
    sys.exit('Job {0} ended {1}'.format(job_name, job.execution_state))
print('Done: job {0} {1}; deletion of cluster {2} requested'.format(job_name, job.execution_state, cluster_name))
