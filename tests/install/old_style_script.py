"""An old Batch AI script, as written in 2018, with one line added at the top.

It signs in the way the recipes did (``azure.common.credentials.ServicePrincipalCredentials``),
here against an Azure Stack style ADFS authority (``AZURE_AD_ENDPOINT``), handles failures with
``msrestazure.azure_exceptions.CloudError`` and ``ce.response.status_code``, and creates a
workspace, an experiment and a cluster, then reads a job that does not exist.  It prints one JSON
line with what it saw.  It runs unchanged on batchai_compat's local backend: the only new line
is the first import.
"""

import batchai_compat.install  # the one added line

import json
import os

import azure.mgmt.batchai as training
import azure.mgmt.batchai.models as models
from azure.common.credentials import ServicePrincipalCredentials
from msrestazure.azure_cloud import AZURE_PUBLIC_CLOUD, Cloud, CloudEndpoints
from msrestazure.azure_exceptions import CloudError

stack = Cloud(
    "AzureStack",
    endpoints=CloudEndpoints(
        active_directory=os.environ["AZURE_AD_ENDPOINT"],
        active_directory_resource_id=AZURE_PUBLIC_CLOUD.endpoints.active_directory_resource_id,
        resource_manager=AZURE_PUBLIC_CLOUD.endpoints.resource_manager,
    ),
)
credentials = ServicePrincipalCredentials(
    client_id="00000000-1111-2222-3333-444444444444",
    secret="an-old-service-principal-secret",
    tenant="adfs",
    cloud_environment=stack,
)
client = training.BatchAIManagementClient(credentials, "00000000-0000-0000-0000-000000000001")

client.workspaces.create("old-rg", "old-ws", "eastus").result()
client.experiments.create("old-rg", "old-ws", "old-exp").result()
cluster = client.clusters.create(
    "old-rg",
    "old-ws",
    "nc6",
    models.ClusterCreateParameters(
        location="eastus",
        vm_size="STANDARD_NC6",
        scale_settings=models.ScaleSettings(manual=models.ManualScaleSettings(target_node_count=0)),
        user_account_settings=models.UserAccountSettings(
            admin_user_name="demo", admin_user_password="Old-Passw0rd"
        ),
    ),
).result()

try:
    client.jobs.get("old-rg", "old-ws", "old-exp", "never-submitted")
    status = None
except CloudError as ce:
    status = ce.response.status_code

print(
    json.dumps(
        {
            "client_module": type(client).__module__,
            "library": batchai_compat.__file__,
            "token_type": credentials.token["token_type"],
            "cluster": cluster.name,
            "vm_size": cluster.vm_size,
            "missing_job_status": status,
        }
    )
)
