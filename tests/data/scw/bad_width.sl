$ ScenarioWizard 3.0
Solution set
 1 

" 2 3 2 1",4,0,0,15,""
