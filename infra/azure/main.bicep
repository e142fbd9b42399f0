// Cordon on Azure: the action-runner / ingest Function App with a system-assigned identity,
// the least-privilege custom role generated from the action catalog (cordon-responder-role.json,
// kept in sync by infra/azure/role-definition.test.ts), Key Vault for the HTTP runner's shared
// secret, Application Insights, and an Event Grid custom topic for Defender for Cloud alerts.
//
//   az deployment sub create --location westeurope --name cordon \
//     --template-file infra/azure/main.bicep --parameters @infra/azure/main.parameters.json
targetScope = 'subscription'

@description('Region for every resource.')
param location string = deployment().location

@description('Prefix of every resource name (3-11 lower-case letters and digits).')
@minLength(3)
@maxLength(11)
param namePrefix string = 'cordon'

@description('Shared secret the AWS Step Functions HTTP task presents (value of the Cordon stack output AzureRunnerSecretArn).')
@secure()
@minLength(32)
param runnerSharedSecret string

@description('Create the Event Grid subscription to the ingest function. Leave false until the function code is published (the endpoint must exist).')
param subscribeIngest bool = false

@description('App settings that connect the ingest function to the Cordon AWS account (functions/handlers/azure/runtime.ts): CORDON_STATE_MACHINES, CORDON_AWS_ROLE_ARN, CORDON_AWS_REGION, CORDON_AWS_AUDIENCE, CORDON_CASE_TABLE, CORDON_AUDIT_BUCKET. Required for ingest: the deployed Function App only starts the Step Functions workflow (the local engine is the workstation entry, functions/handlers/azure/local.ts, for func start).')
param awsAppSettings object = {}

@description('Object id of the identity that publishes Defender alerts to the alerts topic (EventGrid Data Sender on that topic only); empty: none yet.')
param alertPublisherPrincipalId string = ''

var role = loadJsonContent('cordon-responder-role.json')

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${namePrefix}-rg'
  location: location
}

module runner 'runner.bicep' = {
  name: 'cordon-runner'
  scope: group
  params: {
    location: location
    namePrefix: namePrefix
    runnerSharedSecret: runnerSharedSecret
    subscribeIngest: subscribeIngest
    awsAppSettings: awsAppSettings
    alertPublisherPrincipalId: alertPublisherPrincipalId
  }
}

// Exactly the RBAC operations the Azure actions declare; assignable only in this subscription.
resource responderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, namePrefix, 'cordon-responder')
  properties: {
    roleName: '${role.Name} (${namePrefix})'
    description: role.Description
    type: 'CustomRole'
    permissions: [
      {
        actions: role.Actions
        notActions: role.NotActions
        dataActions: role.DataActions
        notDataActions: role.NotDataActions
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

resource responderAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, namePrefix, 'cordon-responder-assignment')
  properties: {
    roleDefinitionId: responderRole.id
    principalId: runner.outputs.principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Object id of the Function App identity: grant it the Graph app role User.RevokeSessions.All (infra/README.md).')
output principalId string = runner.outputs.principalId
@description('Parameter AzureActionRunnerUrl of the Cordon AWS stack.')
output actionRunnerUrl string = runner.outputs.actionRunnerUrl
@description('Event Grid topic Defender for Cloud workflow automation / continuous export publishes to.')
output alertsTopicEndpoint string = runner.outputs.alertsTopicEndpoint
